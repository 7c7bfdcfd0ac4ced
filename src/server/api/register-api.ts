import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accountReport } from '../../accounts/account-report.js';
import { describeDefinition } from '../../analysis/describe-definition.js';
import { explainUser } from '../../analysis/explain-user.js';
import { cachedAnalysis } from '../../analysis/report-cache.js';
import { AnalysisError, resolveAsOf, runAnalysis } from '../../analysis/run-analysis.js';
import { runCatalogue } from '../../analysis/run-catalogue.js';
import {
  featureLabels,
  readScoredPage,
  readScoredUsers,
  scoreInto,
  type UserResult,
} from '../../analysis/score-users.js';
import { usersCsv } from '../../analysis/users-csv.js';
import type { Engine } from '../../engines/engine.js';
import { lifecyclePeople, lifecycleReport } from '../../lifecycle/lifecycle-report.js';
import { runSnapshots, SnapshotError } from '../../lifecycle/run-snapshots.js';
import { type Config, ConfigError } from '../../model/config.js';
import { DefinitionSchema } from '../../model/definition.js';
import { lifecycleRules } from '../../model/lifecycle-config.js';
import {
  DefinitionError,
  definitionInputs,
  definitionName,
  resolveDefinition,
} from '../../model/resolve-definition.js';
import { resolveSegments } from '../../model/segments.js';
import { setConfigKey } from '../../model/write-config.js';
import { KeyCache } from '../../projects/key-cache.js';
import { DIALECTS } from '../../sql/dialects/index.js';
import { periodOf } from '../../time/periods.js';
import {
  AccountsQuery,
  DefinitionSummary,
  LifecyclePeopleQuery,
  LifecycleQuery,
  Loose,
  NameParams,
  Problem,
  ReportSchema,
  ScoringQuery,
  UserParams,
  UsersPage,
  UsersQuery,
  WhatIfBody,
} from './api-schemas.js';
import { ProblemError, problem } from './problem.js';
import type { Sessions } from './sessions.js';

export interface ApiOptions {
  engine: Engine;
  /** The config in force; definitions written through the API replace it. */
  config: () => Config;
  /** Where definitions are written (powerlens.yaml), or null when there is no file to write. */
  configFile: string | null;
  onConfigChange?: (config: Config) => void;
  /** The dashboard's one-time login codes and sessions (sessions.ts). */
  sessions?: Sessions;
}

declare module 'fastify' {
  interface FastifyRequest {
    projectId: string;
  }
}

/**
 * The REST API under /api/v1 (issue 7): the project's read key as a bearer token, JSON answers
 * validated against the zod schemas that also make the OpenAPI document, errors as
 * application/problem+json. The engine serves one request's work at a time (the scoring's
 * scratch tables belong to the connection), through one transaction per request.
 */
export function registerApi(app: FastifyInstance, options: ApiOptions): void {
  // Encapsulated: the hooks, parsers, compilers and error handler below are the API's alone.
  app.register(async (scope) => apiRoutes(scope, options));
}

async function apiRoutes(app: FastifyInstance, options: ApiOptions): Promise<void> {
  const { engine } = options;
  const readKeys = new KeyCache(engine, 'read');

  const api = app.withTypeProvider<ZodTypeProvider>();
  api.setValidatorCompiler(validatorCompiler);
  api.setSerializerCompiler(serializerCompiler);
  // Bodies are JSON here (the collector's routes read raw bytes).
  api.removeAllContentTypeParsers();
  api.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, body === '' ? {} : JSON.parse(String(body)));
    } catch {
      done(new ProblemError(400, 'Malformed JSON', 'the body is not valid JSON'), undefined);
    }
  });

  api.decorateRequest('projectId', '');
  const sessions = options.sessions;
  api.addHook('onRequest', async (req, reply) => {
    if (req.url === '/api/v1/login') return;
    const header = req.headers.authorization ?? '';
    const key = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const projectId = key
      ? key.startsWith('pl_s_')
        ? (sessions?.projectOf(key) ?? null)
        : await readKeys.projectOf(key)
      : null;
    if (!projectId) {
      return problem(
        reply,
        req,
        401,
        'Unauthorized',
        key
          ? 'the key is not a read key of any project (revoked, unknown, or a write key)'
          : 'send the project read key as Authorization: Bearer <key> (powerlens projects create prints it)',
      );
    }
    req.projectId = projectId;
  });

  api.setErrorHandler((err: FastifyError, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      return problem(
        reply,
        req,
        400,
        'Invalid request',
        `invalid ${err.validationContext ?? 'request'}: ${err.validation.map((v) => `${v.instancePath.slice(1) || '(root)'}: ${v.message}`).join('; ')}`,
        err.validation.map((v) => ({ path: v.instancePath.slice(1), message: v.message ?? '' })),
      );
    }
    if (err instanceof ProblemError) {
      return problem(reply, req, err.status, err.title, err.message, err.errors);
    }
    if (err instanceof DefinitionError || err instanceof ConfigError) {
      const notFound = /^no definition /.test(err.message);
      return problem(
        reply,
        req,
        notFound ? 404 : 400,
        notFound ? 'Not found' : 'Invalid definition',
        err.message,
      );
    }
    if (err instanceof AnalysisError || err instanceof SnapshotError) {
      const notFound = /^no user |not active in the|is an anonymous id/.test(err.message);
      return problem(
        reply,
        req,
        notFound ? 404 : 400,
        notFound ? 'Not found' : 'Bad request',
        err.message,
      );
    }
    const status =
      err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'API request failed');
    return problem(
      reply,
      req,
      status,
      status === 500 ? 'Internal error' : 'Bad request',
      status === 500 ? 'the request failed; the server log has the details' : err.message,
    );
  });

  const problems = { 400: Problem, 401: Problem, 404: Problem };

  api.post(
    '/api/v1/login',
    {
      schema: {
        summary:
          "The dashboard's sign-in: a one-time code from serve's login link for a session token",
        security: [],
        body: z.object({ code: z.string().min(1).max(200) }).strict(),
        response: { 200: z.object({ token: z.string(), project_id: z.string() }), ...problems },
      },
    },
    async (req) => {
      const session = sessions?.redeem(req.body.code);
      if (!session) {
        throw new ProblemError(
          401,
          'Unauthorized',
          'the login link is used, expired or unknown: restart serve for a new one, or sign in with the read key',
        );
      }
      return { token: session.token, project_id: session.projectId };
    },
  );
  const ctx = (req: FastifyRequest) => {
    const config = options.config();
    return { config, projectId: req.projectId, segments: resolveSegments(config.segments) };
  };
  /** One request's engine work in one turn: nobody else's scoring lands in between. */
  const inTurn = <T>(fn: () => Promise<T>) => engine.transaction(fn);

  api.get(
    '/api/v1/report',
    {
      schema: {
        summary:
          'The power-user report: totals, curves, concentration, power users against everyone else, features, segments, top power users',
        querystring: ScoringQuery,
        response: { 200: ReportSchema, ...problems },
      },
    },
    async (req) => {
      const { config, projectId, segments } = ctx(req);
      const definition = resolveDefinition(config, {
        name: req.query.definition,
        windowDays: req.query.window,
      });
      const { report, cache } = await inTurn(() =>
        cachedAnalysis(engine, {
          projectId,
          definition,
          asOf: req.query.as_of,
          catalogue: config.catalogue,
          segments,
        }),
      );
      return { ...report, definition: { ...report.definition }, cache } as z.input<
        typeof ReportSchema
      >;
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
        const asOf = await resolveAsOf(engine, projectId, q.as_of);
        await scoreInto(engine, definition, { projectId, asOf, catalogue: config.catalogue });
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
            { segments, labels: featureLabels(config.catalogue) },
          );
        });
        return { total: page.total, limit: q.limit, offset: q.offset, users: page.users };
      }
      const all = await inTurn(async () => {
        await score();
        return readScoredUsers(engine, definition, {
          segments,
          labels: featureLabels(config.catalogue),
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
        response: { 200: Loose, ...problems },
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
          asOf: req.query.as_of,
          catalogue: config.catalogue,
          segments,
        });
        const d = DIALECTS[engine.dialect];
        const activity = await engine.query(
          `SELECT ${d.dateText('day')} AS day, sum(events) AS events, sum(sessions) AS sessions,
             sum(active_seconds) AS active_seconds
           FROM user_day
           WHERE project_id = ${d.param('p', 'String')} AND user_id = ${d.param('u', 'String')}
             AND day > ${d.minusDays(d.date(d.param('asof', 'Date')), d.param('n', 'Int64'))}
             AND day <= ${d.date(d.param('asof', 'Date'))}
           GROUP BY day ORDER BY day`,
          { p: projectId, u: req.params.user_id, asof: user.as_of, n: 91 },
        );
        return { ...user, activity } as Record<string, unknown>;
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
        response: { 200: Loose, ...problems },
      },
    },
    async (req) => {
      const { config, projectId } = ctx(req);
      const listing = await inTurn(() =>
        runCatalogue(engine, {
          projectId,
          asOf: req.query.as_of,
          windowDays: req.query.window ?? 30,
          catalogue: config.catalogue,
        }),
      );
      return listing as unknown as Record<string, unknown>;
    },
  );

  const summaries = (config: Config) =>
    Object.keys(definitionInputs(config)).map((name) => {
      const d = resolveDefinition(config, { name });
      return {
        name,
        description: d.description ?? null,
        kind: d.kind,
        window_days: d.window_days,
        text: describeDefinition(d),
        is_default: name === definitionName(config),
      };
    });

  api.get(
    '/api/v1/definitions',
    {
      schema: {
        summary: 'Every definition, in plain words',
        response: { 200: z.object({ definitions: z.array(DefinitionSummary) }), ...problems },
      },
    },
    async () => ({ definitions: summaries(options.config()) }),
  );

  api.get(
    '/api/v1/definitions/:name',
    {
      schema: {
        summary: 'One definition as written in the config, and in plain words',
        params: NameParams,
        response: { 200: z.object({ summary: DefinitionSummary, definition: Loose }), ...problems },
      },
    },
    async (req) => {
      const config = options.config();
      const input = definitionInputs(config)[req.params.name];
      if (!input)
        throw new DefinitionError(
          `no definition "${req.params.name}" (definitions live under definitions: in the config)`,
        );
      const summary = summaries(config).find((s) => s.name === req.params.name);
      return {
        summary: summary as z.input<typeof DefinitionSummary>,
        definition: input as Record<string, unknown>,
      };
    },
  );

  api.put(
    '/api/v1/definitions/:name',
    {
      schema: {
        summary: 'Create or replace a definition; saved into the config file, with precise errors',
        params: NameParams,
        body: Loose.describe(
          'A definition: window_days, and rule: or score: (docs/definition.md).',
        ),
        response: { 200: z.object({ summary: DefinitionSummary }), ...problems },
      },
    },
    async (req) => {
      const parsed = DefinitionSchema.safeParse(req.body);
      if (!parsed.success) {
        const errors = parsed.error.issues.map((i) => ({
          path: i.path.join('.'),
          message: i.message,
        }));
        throw new ProblemError(
          400,
          'Invalid definition',
          errors.map((e) => `${e.path || '(root)'}: ${e.message}`).join('; '),
          errors,
        );
      }
      if (!options.configFile) {
        throw new ProblemError(
          400,
          'No config file',
          'serve was started without a config file to write definitions into: pass --config FILE',
        );
      }
      const config = setConfigKey(options.configFile, ['definitions', req.params.name], req.body);
      options.onConfigChange?.(config);
      const summary = summaries(config).find((s) => s.name === req.params.name);
      return { summary: summary as z.input<typeof DefinitionSummary> };
    },
  );

  api.post(
    '/api/v1/what-if',
    {
      schema: {
        summary: 'A changed definition: the new counts, and who would enter or leave',
        body: WhatIfBody,
        response: { 200: z.object({ totals: Loose, what_if: Loose }), ...problems },
      },
    },
    async (req) => {
      const { config, projectId, segments } = ctx(req);
      const b = req.body;
      const baseline = resolveDefinition(config, { name: b.definition, windowDays: b.window });
      const changed = resolveDefinition(config, {
        name: b.definition,
        windowDays: b.window,
        set: b.set,
      });
      const report = await inTurn(() =>
        runAnalysis(engine, {
          projectId,
          definition: changed,
          baseline,
          asOf: b.as_of,
          catalogue: config.catalogue,
          segments,
        }),
      );
      return { totals: report.totals, what_if: (report.what_if ?? {}) as Record<string, unknown> };
    },
  );

  const lifecycleInput = (req: FastifyRequest, q: z.infer<typeof LifecycleQuery>) => {
    const config = options.config();
    return {
      projectId: req.projectId,
      definition: q.definition ?? definitionName(config),
      period: q.period ?? config.lifecycle.period,
      rules: lifecycleRules(config.lifecycle),
      dialect: DIALECTS[engine.dialect],
    };
  };

  api.get(
    '/api/v1/lifecycle',
    {
      schema: {
        summary:
          'Power users over time: states per period, flows between them, retention of power users against everyone else',
        querystring: LifecycleQuery,
        response: { 200: Loose, ...problems },
      },
    },
    async (req) => {
      const input = lifecycleInput(req, req.query);
      const report = await inTurn(() => lifecycleReport(engine, input));
      return report as unknown as Record<string, unknown>;
    },
  );

  api.get(
    '/api/v1/lifecycle/people',
    {
      schema: {
        summary: 'The people in one lifecycle state in one period',
        querystring: LifecyclePeopleQuery,
        response: {
          200: z.object({ period_start: z.string(), people: z.array(Loose) }),
          ...problems,
        },
      },
    },
    async (req) => {
      const input = lifecycleInput(req, req.query);
      return inTurn(async () => {
        const report = await lifecycleReport(engine, input);
        const last = report.periods.at(-1)?.period_start;
        if (!last)
          throw new ProblemError(
            404,
            'No snapshots',
            'no snapshots yet: powerlens backfill --from DATE',
          );
        const at = req.query.at ? periodOf(req.query.at, input.period).start : last;
        const people = await lifecyclePeople(engine, input, req.query.state, at);
        return { period_start: at, people: people as unknown as Record<string, unknown>[] };
      });
    },
  );

  api.get(
    '/api/v1/accounts',
    {
      schema: {
        summary: 'Power users per account, with churn risks and expansion chances, each explained',
        querystring: AccountsQuery,
        response: { 200: Loose, ...problems },
      },
    },
    async (req) => {
      const { config, projectId, segments } = ctx(req);
      const q = req.query;
      const definition = resolveDefinition(config, { name: q.definition, windowDays: q.window });
      const period = q.period ?? config.lifecycle.period;
      const report = await inTurn(async () => {
        await runSnapshots(engine, {
          projectId,
          definition,
          catalogue: config.catalogue,
          segments,
          period,
          asOf: q.as_of,
        });
        return accountReport(engine, {
          projectId,
          definition,
          asOf: q.as_of,
          catalogue: config.catalogue,
          period,
        });
      });
      const accounts = report.accounts.filter(
        (a) =>
          (q.at_risk !== 'true' || a.signals.some((s) => s.kind === 'risk')) &&
          (q.expansion !== 'true' || a.signals.some((s) => s.kind === 'chance')),
      );
      return { ...report, accounts } as unknown as Record<string, unknown>;
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
