import { explainUser } from '../../analysis/explain-user.js';
import { cachedAnalysis } from '../../analysis/report-cache.js';
import { resolveAsOf } from '../../analysis/resolve-as-of.js';
import { runCatalogue } from '../../analysis/run-catalogue.js';
import {
  featureLabels,
  readScoredPage,
  readScoredUsers,
  scoreInto,
  type UserResult,
} from '../../analysis/score-users.js';
import { userActivity } from '../../analysis/user-activity.js';
import { usersCsv } from '../../analysis/users-csv.js';
import { resolveDefinition } from '../../model/resolve-definition.js';
import {
  CatalogueAnswer,
  ReportAnswer,
  UserExplanationAnswer,
  UsersPage,
} from './answer-schemas.js';
import {
  PROBLEMS as problems,
  type RouteContext,
  requestAsOf,
  type ZodApi,
} from './api-context.js';
import { ScoringQuery, UserParams, UsersQuery } from './api-schemas.js';

/** The report, the users (a page, CSV, one user) and the catalogue. */
export function registerReportRoutes(api: ZodApi, rc: RouteContext): void {
  const { engine, ctx, inTurn } = rc;
  api.get(
    '/api/v1/report',
    {
      schema: {
        summary:
          'The power-user report: totals, curves, concentration, power users against everyone else, features, segments, top power users',
        querystring: ScoringQuery,
        response: { 200: ReportAnswer, ...problems },
      },
    },
    async (req) => {
      const { config, projectId, segments } = ctx(req);
      const definition = resolveDefinition(config, {
        name: req.query.definition,
        windowDays: req.query.window,
      });
      const { report, cache } = await inTurn(async () =>
        cachedAnalysis(engine, {
          projectId,
          definition,
          asOf: await requestAsOf(engine, projectId, req.query.as_of),
          catalogue: config.catalogue,
          segments,
        }),
      );
      return { ...report, definition: { ...report.definition }, cache };
    },
  );

  api.get(
    '/api/v1/users',
    {
      schema: {
        summary:
          'Active users with score, verdict, criteria, signals and segments: filter, sort, paginate, CSV',
        querystring: UsersQuery,
        response: { 200: UsersPage, ...problems },
      },
    },
    async (req, reply) => {
      const { config, projectId, segments } = ctx(req);
      const q = req.query;
      const definition = resolveDefinition(config, { name: q.definition, windowDays: q.window });
      const score = async () => {
        const day = await requestAsOf(engine, projectId, q.as_of);
        await scoreInto(engine, definition, { projectId, asOf: day, catalogue: config.catalogue });
      };
      // A page of JSON is cut in SQL; CSV (everyone) and a segment filter read every user.
      if (q.format === 'json' && !q.segment) {
        const page = await inTurn(async () => {
          await score();
          return readScoredPage(
            engine,
            definition,
            {
              power: q.power === undefined ? undefined : q.power === 'true',
              text: q.q,
              sort: q.sort,
              order: q.order,
              limit: q.limit,
              offset: q.offset,
            },
            { segments, labels: featureLabels(config.catalogue), traitsOf: projectId },
          );
        });
        return { total: page.total, limit: q.limit, offset: q.offset, users: page.users };
      }
      const all = await inTurn(async () => {
        await score();
        return readScoredUsers(engine, definition, {
          segments,
          labels: featureLabels(config.catalogue),
          traitsOf: projectId,
        });
      });
      const needle = q.q?.toLowerCase();
      const picked = all.filter(
        (u) =>
          (q.power === undefined || u.is_power_user === (q.power === 'true')) &&
          (!needle ||
            u.user_id.toLowerCase().includes(needle) ||
            u.account_id.toLowerCase().includes(needle)) &&
          (!q.segment || u.segments.some((s) => s.segment === q.segment)),
      );
      picked.sort(compareUsers(q.sort, q.order));
      if (q.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .serializer((x: unknown) => String(x))
          .send(usersCsv(picked) as never);
      }
      return {
        total: picked.length,
        limit: q.limit,
        offset: q.offset,
        users: picked.slice(q.offset, q.offset + q.limit),
      };
    },
  );

  api.get(
    '/api/v1/users/:user_id',
    {
      schema: {
        summary:
          'One user: the verdict explained, every criterion against its threshold, features used, and daily activity',
        params: UserParams,
        querystring: ScoringQuery,
        response: { 200: UserExplanationAnswer, ...problems },
      },
    },
    async (req) => {
      const { config, projectId, segments } = ctx(req);
      const definition = resolveDefinition(config, {
        name: req.query.definition,
        windowDays: req.query.window,
      });
      return inTurn(async () => {
        const user = await explainUser(engine, {
          projectId,
          userId: req.params.user_id,
          definition,
          // Explaining a user needs data: an empty project is refused, not looked at today.
          asOf: await resolveAsOf(engine, projectId, req.query.as_of),
          catalogue: config.catalogue,
          segments,
        });
        // About three months of days, for the user page's activity chart.
        const activity = await userActivity(engine, {
          projectId,
          userId: req.params.user_id,
          asOf: user.as_of,
          days: 91,
        });
        return { ...user, activity };
      });
    },
  );

  api.get(
    '/api/v1/catalogue',
    {
      schema: {
        summary:
          'The feature catalogue: configured features and those inferred from events, with users per feature',
        querystring: ScoringQuery,
        response: { 200: CatalogueAnswer, ...problems },
      },
    },
    async (req) => {
      const { config, projectId } = ctx(req);
      return inTurn(async () =>
        runCatalogue(engine, {
          projectId,
          asOf: await requestAsOf(engine, projectId, req.query.as_of),
          windowDays: req.query.window ?? 30,
          catalogue: config.catalogue,
        }),
      );
    },
  );
}

function compareUsers(sort: string, order: 'asc' | 'desc') {
  const dir = order === 'asc' ? 1 : -1;
  const key = (u: UserResult): number | string =>
    sort === 'user_id'
      ? u.user_id
      : sort === 'account_id'
        ? u.account_id
        : sort === 'score'
          ? u.score
          : (u.signals[sort as keyof UserResult['signals']] ?? 0);
  return (a: UserResult, b: UserResult) => {
    const x = key(a);
    const y = key(b);
    const c = x < y ? -1 : x > y ? 1 : 0;
    return c * dir || a.user_id.localeCompare(b.user_id);
  };
}
