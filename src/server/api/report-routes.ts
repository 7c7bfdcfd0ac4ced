import { explainUser } from '../../analysis/explain-user.js';
import { listUsers } from '../../analysis/list-users.js';
import { cachedAnalysis } from '../../analysis/report-cache.js';
import { resolveAsOf } from '../../analysis/resolve-as-of.js';
import { CATALOGUE_WINDOW_DAYS, runCatalogue } from '../../analysis/run-catalogue.js';
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
  registerReport(api, rc);
  registerUsers(api, rc);
  registerUser(api, rc);
  registerCatalogue(api, rc);
}

/** GET /api/v1/report: the power-user report, from the cache when the question was answered. */
function registerReport(api: ZodApi, { engine, ctx, inTurn }: RouteContext): void {
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
}

/** GET /api/v1/users: a page of the active users as JSON, or every matching one as CSV. */
function registerUsers(api: ZodApi, { engine, ctx, inTurn }: RouteContext): void {
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
      // CSV is every matching user; JSON a page of them.
      const csv = q.format === 'csv';
      const listing = await inTurn(async () =>
        listUsers(
          engine,
          {
            projectId,
            definition,
            asOf: await requestAsOf(engine, projectId, q.as_of),
            catalogue: config.catalogue,
            segments,
          },
          {
            power: q.power === undefined ? undefined : q.power === 'true',
            text: q.q,
            segment: q.segment,
            sort: q.sort,
            order: q.order,
            limit: csv ? undefined : q.limit,
            offset: csv ? undefined : q.offset,
          },
        ),
      );
      if (csv) {
        return reply
          .type('text/csv; charset=utf-8')
          .serializer((x: unknown) => String(x))
          .send(usersCsv(listing.users) as never);
      }
      return {
        total: listing.total,
        limit: q.limit,
        offset: q.offset,
        history: listing.history,
        warnings: listing.warnings,
        users: listing.users,
      };
    },
  );
}

/** GET /api/v1/users/:user_id: one user's verdict explained, with their daily activity. */
function registerUser(api: ZodApi, { engine, ctx, inTurn }: RouteContext): void {
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
          period: config.lifecycle.period,
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
}

/** GET /api/v1/catalogue: the effective feature catalogue over a window. */
function registerCatalogue(api: ZodApi, { engine, ctx, inTurn }: RouteContext): void {
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
          windowDays: req.query.window ?? CATALOGUE_WINDOW_DAYS,
          catalogue: config.catalogue,
        }),
      );
    },
  );
}
