import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { accountReport } from '../../accounts/account-report.js';
import { NoDataError } from '../../analysis/run-analysis.js';
import {
  latestSnapshotPeriod,
  lifecyclePeople,
  lifecycleReport,
} from '../../lifecycle/lifecycle-report.js';
import { lifecycleRules } from '../../model/lifecycle-config.js';
import { definitionName, resolveDefinition } from '../../model/resolve-definition.js';
import { periodOf } from '../../time/periods.js';
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

/** Power users over time and per account. */
export function registerLifecycleRoutes(api: ZodApi, rc: RouteContext): void {
  const { engine, ctx, inTurn } = rc;
  const lifecycleInput = (req: FastifyRequest, q: z.infer<typeof LifecycleQuery>) => {
    const { config } = ctx(req);
    return {
      projectId: req.projectId,
      definition: q.definition ?? definitionName(config),
      period: q.period ?? config.lifecycle.period,
      rules: lifecycleRules(config.lifecycle),
      dialect: engine.dialect,
    };
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
      const input = lifecycleInput(req, req.query);
      const report = await inTurn(() => lifecycleReport(engine, input));
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
      const input = lifecycleInput(req, req.query);
      return inTurn(async () => {
        const last = await latestSnapshotPeriod(engine, input);
        if (!last)
          throw new ProblemError(
            404,
            'No snapshots',
            'no snapshots yet: powerlens backfill --from DATE',
          );
        const at = req.query.at ? periodOf(req.query.at, input.period).start : last;
        const people = await lifecyclePeople(engine, input, req.query.state, at);
        return { period_start: at, people };
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
      const { config, projectId, segments } = ctx(req);
      const q = req.query;
      const definition = resolveDefinition(config, { name: q.definition, windowDays: q.window });
      const period = q.period ?? config.lifecycle.period;
      const report: z.output<typeof AccountsAnswer> = await inTurn(() =>
        accountReport(engine, {
          projectId,
          definition,
          asOf: q.as_of,
          catalogue: config.catalogue,
          segments,
          period,
          maxPeriods: MAX_CATCH_UP_PERIODS,
        }),
      ).catch((err: unknown) => {
        // A project without events yet has no accounts: a state, answered as one.
        if (!(err instanceof NoDataError)) throw err;
        return {
          as_of: null,
          window_days: definition.window_days,
          definition: definition.name,
          period,
          compared_periods: false,
          similarity: null,
          accounts: [],
        };
      });
      const accounts = report.accounts.filter(
        (a) =>
          (q.at_risk !== 'true' || a.signals.some((s) => s.kind === 'risk')) &&
          (q.expansion !== 'true' || a.signals.some((s) => s.kind === 'chance')),
      );
      return { ...report, accounts };
    },
  );
}
