import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { accountReport } from '../../accounts/account-report.js';
import { NoDataError, resolveAsOf } from '../../analysis/resolve-as-of.js';
import { lifecycleInput } from '../../lifecycle/lifecycle-input.js';
import { lifecycleReport, peopleInState } from '../../lifecycle/lifecycle-report.js';
import { snapshotInput } from '../../lifecycle/snapshot-input.js';
import { PROBLEMS as problems, type RouteContext, type ZodApi } from './api-context.js';
import { AccountsQuery, LifecyclePeopleQuery, LifecycleQuery } from './api-schemas.js';
import {
  AccountsAnswer,
  LifecycleAnswer,
  LifecyclePeopleAnswer,
} from './lifecycle-answer-schemas.js';
import { ProblemError } from './problem.js';

/**
 * The snapshot periods an account report computes to catch up within a request: a quarter of
 * days, two years of weeks. More is the job of powerlens snapshot, not of a read.
 */
const MAX_CATCH_UP_PERIODS = 100;
/**
 * The most periods of history an accounts request computes before answering: all of a quarter's
 * 13 weeks or 3 months, two weeks of days (a quarter of days is 90 scorings, too long to wait
 * for); the answer says how to store the rest (history_limit).
 */
const MAX_HISTORY_PERIODS = 14;

/** Power users over time and per account. */
export function registerLifecycleRoutes(api: ZodApi, rc: RouteContext): void {
  const { engine, ctx, inTurn } = rc;
  const input = (req: FastifyRequest, q: z.infer<typeof LifecycleQuery>) => {
    const { config, projectId } = ctx(req);
    return lifecycleInput(engine, config, projectId, q);
  };

  api.get(
    '/api/v1/lifecycle',
    {
      schema: {
        summary:
          'Power users over time: states per period, flows between them, retention of power users against everyone else',
        querystring: LifecycleQuery,
        response: { 200: LifecycleAnswer, ...problems },
      },
    },
    async (req) => {
      const asked = input(req, req.query);
      const report = await inTurn(() => lifecycleReport(engine, asked));
      return report;
    },
  );

  api.get(
    '/api/v1/lifecycle/people',
    {
      schema: {
        summary: 'The people in one lifecycle state in one period',
        querystring: LifecyclePeopleQuery,
        response: { 200: LifecyclePeopleAnswer, ...problems },
      },
    },
    async (req) => {
      const { state, at } = req.query;
      const asked = input(req, req.query);
      return inTurn(async () => {
        const found = await peopleInState(engine, asked, state, at);
        if (!found)
          throw new ProblemError(
            404,
            'No snapshots',
            'no snapshots yet: powerlens backfill --from DATE',
          );
        return {
          period_start: found.period_start,
          people: found.people,
        };
      });
    },
  );

  api.get(
    '/api/v1/accounts',
    {
      schema: {
        summary: 'Power users per account, with churn risks and expansion chances, each explained',
        querystring: AccountsQuery,
        response: { 200: AccountsAnswer, ...problems },
      },
    },
    async (req) => {
      const { config, projectId } = ctx(req);
      const q = req.query;
      const input = snapshotInput(config, projectId, {
        definition: q.definition,
        windowDays: q.window,
        period: q.period,
      });
      const started = performance.now();
      const report: z.output<typeof AccountsAnswer> = await inTurn(async () =>
        accountReport(engine, {
          ...input,
          // Within the data: the snapshots brought up to date end on it.
          asOf: await resolveAsOf(engine, projectId, q.as_of, true),
          maxPeriods: MAX_CATCH_UP_PERIODS,
          maxHistoryPeriods: MAX_HISTORY_PERIODS,
          atRisk: q.at_risk === 'true',
          expansion: q.expansion === 'true',
        }),
      ).catch((err: unknown) => {
        // A project without events yet has no accounts: a state, answered as one.
        if (!(err instanceof NoDataError)) throw err;
        return {
          as_of: null,
          window_days: input.definition.window_days,
          definition: input.definition.name,
          period: input.period,
          compared_periods: false,
          computed_periods: 0,
          lookback_periods: 0,
          history_limit: null,
          similarity: null,
          accounts: [],
        };
      });
      if (report.computed_periods > 1) {
        // More than the latest period: the history the signals compare, computed once.
        req.log.info(
          {
            project: projectId,
            period: report.period,
            periods: report.computed_periods,
            ms: Math.round(performance.now() - started),
          },
          `accounts: computed ${report.computed_periods} ${report.period}s of snapshots`,
        );
      }
      return report;
    },
  );
}
