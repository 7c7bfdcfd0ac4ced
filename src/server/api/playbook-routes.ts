import { z } from 'zod';
import { resolveAsOf } from '../../analysis/resolve-as-of.js';
import type { Engine } from '../../engines/engine.js';
import type { Config } from '../../model/config.js';
import { issueList } from '../../model/format-issues.js';
import { type Playbook, PlaybookSchema } from '../../model/playbook.js';
import { deleteConfigKey, setConfigKey } from '../../model/write-config.js';
import { dispatchDue } from '../../playbooks/dispatcher.js';
import { deliveryCounts, listPlaybooks, playbookListing } from '../../playbooks/list-playbooks.js';
import { deliveryLog, retryDeadDelivery } from '../../playbooks/outbox.js';
import { previewPlaybook, runPlaybooks } from '../../playbooks/run-playbooks.js';
import { prepareTestSends, sendTestSamples } from '../../playbooks/test-playbook.js';
import { PROBLEMS as problems, type RouteContext, type ZodApi } from './api-context.js';
import { Loose, NameParams, Problem, ScoringQuery } from './api-schemas.js';
import {
  DeliveryLogAnswer,
  PlaybookDeleted,
  PlaybookListingSchema,
  PlaybooksAnswer,
  PreviewAnswer,
  RetryAnswer,
  RunAnswer,
  TestAnswer,
} from './playbook-answer-schemas.js';
import { ProblemError } from './problem.js';

/**
 * Playbooks (docs/playbooks.md): read, written into the config file under the caller's project,
 * previewed, and their delivery log, the same use cases as `powerlens playbooks`.
 */

/** Names the routes' own paths take (the delivery log, the unsubscribe link): no playbook's. */
const RESERVED: Record<string, string> = {
  deliveries: 'the delivery log (GET /api/v1/playbooks/deliveries)',
  unsubscribe: "e-mail's unsubscribe link (/api/v1/playbooks/unsubscribe)",
};

const PreviewQuery = ScoringQuery.pick({ as_of: true });

const RunQuery = PreviewQuery.extend({
  name: z.string().max(200).optional().describe('Only this playbook (default: every enabled one).'),
  send: z
    .enum(['true', 'false'])
    .default('true')
    .describe('false: record and queue only; a later run (or serve) sends.'),
});

const DeliveriesQuery = z.object({
  playbook: z.string().max(200).optional().describe('Only this playbook.'),
  status: z.enum(['queued', 'sent', 'dead']).optional().describe('Only deliveries in this state.'),
  user: z.string().max(500).optional().describe('Only deliveries about this user.'),
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('The newest this many.'),
  attempts: z
    .enum(['true', 'false'])
    .default('false')
    .describe('true: each delivery with every attempt (time, status code, latency, error).'),
});

const DeliveryParams = z.object({ id: z.string().min(1).max(200) });

/** The playbook `name` of the project's config, or a 404 naming those there are. */
function playbookNamed(config: Config, name: string): Playbook {
  const all = config.playbooks;
  const found = Object.hasOwn(all, name) ? all[name] : undefined;
  if (found) return found;
  const names = Object.keys(all);
  throw new ProblemError(
    404,
    'Not found',
    names.length === 0
      ? `no playbook "${name}": the project has no playbooks (docs/playbooks.md shows one; PUT /api/v1/playbooks/{name} writes one).`
      : `no playbook "${name}": the project has ${names.map((n) => `"${n}"`).join(', ')}.`,
  );
}

/** The outbox lives in DuckDB only for now (docs/playbooks.md). */
function requireOutbox(engine: Engine): void {
  if (!engine.dialect.capabilities.transactions) {
    throw new ProblemError(
      400,
      'Not on this engine',
      `playbooks run on DuckDB only for now: the ${engine.dialect.name} engine keeps no outbox.`,
    );
  }
}

export function registerPlaybookRoutes(api: ZodApi, rc: RouteContext): void {
  registerPlaybookReads(api, rc);
  registerPlaybookWrites(api, rc);
  registerDeliveryRoutes(api, rc);
  registerRunRoutes(api, rc);
}

function registerPlaybookReads(api: ZodApi, { engine, ctx, inTurn }: RouteContext): void {
  api.get(
    '/api/v1/playbooks',
    {
      schema: {
        summary:
          "Every playbook of the project: trigger, filters, where it sends (variables' names only), limits, deliveries per status",
        response: { 200: PlaybooksAnswer, ...problems },
      },
    },
    async (req) => {
      const { config, projectId } = ctx(req);
      const playbooks = await inTurn(() =>
        listPlaybooks(engine, { projectId, playbooks: config.playbooks, env: process.env }),
      );
      return { playbooks };
    },
  );

  api.get(
    '/api/v1/playbooks/:name',
    {
      schema: {
        summary: 'One playbook, as the list shows it',
        params: NameParams,
        response: { 200: z.object({ playbook: PlaybookListingSchema }), ...problems },
      },
    },
    async (req) => {
      const { config, projectId } = ctx(req);
      const p = playbookNamed(config, req.params.name);
      const counts = await inTurn(() => deliveryCounts(engine, projectId));
      return {
        playbook: playbookListing(
          req.params.name,
          p,
          process.env,
          counts ? (counts.get(req.params.name) ?? { queued: 0, sent: 0, dead: 0 }) : null,
        ),
      };
    },
  );

  api.get(
    '/api/v1/playbooks/:name/preview',
    {
      schema: {
        summary: 'Who the playbook would reach now, and why, without recording or sending anything',
        params: NameParams,
        querystring: PreviewQuery,
        response: { 200: PreviewAnswer, ...problems },
      },
    },
    async (req) => {
      const { config, projectId } = ctx(req);
      const name = req.params.name;
      playbookNamed(config, name);
      requireOutbox(engine);
      return inTurn(async () => {
        // Within the data: the snapshots the preview brings up to date end on it.
        const asOf = await resolveAsOf(engine, projectId, req.query.as_of, true);
        const people = await previewPlaybook(engine, { projectId, config, asOf, name });
        return { playbook: name, as_of: asOf, people };
      });
    },
  );
}

/** PUT and DELETE /api/v1/playbooks/:name: written into the config file, under the project. */
function registerPlaybookWrites(api: ZodApi, { engine, ctx, options, inTurn }: RouteContext): void {
  // The deliveries a playbook of this name has already (a replaced one keeps its log).
  const countsOf = async (projectId: string, name: string) => {
    const counts = await inTurn(() => deliveryCounts(engine, projectId));
    return counts ? (counts.get(name) ?? { queued: 0, sent: 0, dead: 0 }) : null;
  };
  const configFile = () => {
    if (!options.configFile) {
      throw new ProblemError(
        400,
        'No config file',
        'serve was started without a config file to write playbooks into: pass --config FILE',
      );
    }
    return options.configFile;
  };

  api.put(
    '/api/v1/playbooks/:name',
    {
      schema: {
        summary:
          'Create or replace a playbook of the project; saved into the config file, with precise errors',
        params: NameParams,
        body: Loose.describe(
          'A playbook as under playbooks: in the config: trigger, filters, actions, limits (docs/playbooks.md).',
        ),
        response: { 200: z.object({ playbook: PlaybookListingSchema }), ...problems },
      },
    },
    async (req) => {
      const name = req.params.name;
      if (Object.hasOwn(RESERVED, name)) {
        throw new ProblemError(
          400,
          'Invalid playbook',
          `"${name}" names ${RESERVED[name]}: pick another name`,
          [{ path: '(name)', message: 'a reserved name' }],
        );
      }
      const parsed = PlaybookSchema.safeParse(req.body);
      if (!parsed.success) {
        const errors = issueList(parsed.error.issues, req.body, PlaybookSchema);
        throw new ProblemError(
          400,
          'Invalid playbook',
          errors.map((e) => `${e.path || '(root)'}: ${e.message}`).join('; '),
          errors,
        );
      }
      // Under the project's own key: a playbook written here acts on this project only.
      const next = setConfigKey(
        configFile(),
        ['projects', req.projectId, 'playbooks', name],
        req.body,
      );
      options.onConfigChange?.(next);
      const counts = await countsOf(req.projectId, name);
      return { playbook: playbookListing(name, parsed.data, process.env, counts) };
    },
  );

  api.delete(
    '/api/v1/playbooks/:name',
    {
      schema: {
        summary:
          "Remove the project's own playbook from the config file (a shared top-level one is edited in the file)",
        params: NameParams,
        response: { 200: PlaybookDeleted, ...problems, 409: Problem },
      },
    },
    async (req) => {
      const name = req.params.name;
      const { config } = ctx(req);
      playbookNamed(config, name);
      const file = options.config();
      const own = Object.hasOwn(file.projects, req.projectId)
        ? file.projects[req.projectId]?.playbooks
        : undefined;
      if (!own || !Object.hasOwn(own, name)) {
        throw new ProblemError(
          409,
          'Shared playbook',
          `"${name}" is a top-level playbook of the config file, shared by every project: remove it from playbooks: in the file (or set enabled: false under projects.${req.projectId}.playbooks).`,
        );
      }
      const next = deleteConfigKey(configFile(), ['projects', req.projectId, 'playbooks', name]);
      options.onConfigChange?.(next);
      const shared = Object.hasOwn(next.playbooks, name) ? next.playbooks[name] : undefined;
      return {
        deleted: name,
        now_in_force: shared
          ? playbookListing(name, shared, process.env, await countsOf(req.projectId, name))
          : null,
      };
    },
  );
}

/** The delivery log, and a dead delivery queued again. */
function registerDeliveryRoutes(api: ZodApi, { engine, inTurn }: RouteContext): void {
  api.get(
    '/api/v1/playbooks/deliveries',
    {
      schema: {
        summary: 'The deliveries, newest first, with their occurrence and optionally every attempt',
        querystring: DeliveriesQuery,
        response: { 200: DeliveryLogAnswer, ...problems },
      },
    },
    async (req) => {
      requireOutbox(engine);
      const q = req.query;
      const deliveries = await inTurn(() =>
        deliveryLog(engine, req.projectId, {
          playbook: q.playbook,
          status: q.status,
          subjectId: q.user,
          limit: q.limit,
          withAttempts: q.attempts === 'true',
        }),
      );
      return { deliveries };
    },
  );

  api.post(
    '/api/v1/playbooks/deliveries/:id/retry',
    {
      schema: {
        summary: 'Queue a dead delivery again, with the same webhook-id; the next run sends it',
        params: DeliveryParams,
        response: { 200: RetryAnswer, ...problems },
      },
    },
    async (req) => {
      requireOutbox(engine);
      const id = req.params.id;
      const queued = await inTurn(() => retryDeadDelivery(engine, req.projectId, id, new Date()));
      if (!queued) {
        throw new ProblemError(
          404,
          'Not found',
          `no dead delivery ${id} in this project: GET /api/v1/playbooks/deliveries?status=dead lists them.`,
        );
      }
      return { delivery_id: id, status: 'queued' as const };
    },
  );
}

/** A run of the playbooks and a test of one: the same use cases as `powerlens playbooks run|test`. */
function registerRunRoutes(api: ZodApi, { engine, ctx, options, inTurn }: RouteContext): void {
  const baseUrl = () => options.baseUrl?.() ?? null;

  api.post(
    '/api/v1/playbooks/run',
    {
      schema: {
        summary:
          'Evaluate the triggers, record new occurrences with their deliveries, send what is due (idempotent)',
        querystring: RunQuery,
        response: { 200: RunAnswer, ...problems },
      },
    },
    async (req) => {
      const { config, projectId } = ctx(req);
      const only = req.query.name;
      if (only !== undefined) playbookNamed(config, only);
      requireOutbox(engine);
      const now = new Date();
      // Recorded within the request's turn and time limit; sent after it. A send inside the turn
      // would hold every other request behind a slow receiver, and a time limit cutting the
      // batch's transaction short would forget what was sent (and send it again).
      const { asOf, result } = await inTurn(async () => {
        const asOf = await resolveAsOf(engine, projectId, req.query.as_of, true);
        const result = await runPlaybooks(engine, {
          projectId,
          config,
          asOf,
          now,
          only,
          baseUrl: baseUrl(),
          env: process.env,
          random: Math.random,
          dispatch: false,
        });
        return { asOf, result };
      });
      const dispatched =
        req.query.send === 'false'
          ? null
          : await dispatchDue(engine, {
              projectId,
              playbooks: config.playbooks,
              now,
              env: process.env,
              random: Math.random,
              // Its batches' records queue behind other requests, each up to this long.
              turnWaitMs: config.api.request_timeout_seconds * 1000,
            });
      return { as_of: asOf, ...result, dispatched };
    },
  );

  api.post(
    '/api/v1/playbooks/:name/test',
    {
      schema: {
        summary:
          "Send one sample of each of the playbook's actions now, about the first person it would reach, outside the outbox",
        params: NameParams,
        querystring: PreviewQuery,
        response: { 200: TestAnswer, ...problems },
      },
    },
    async (req) => {
      const { config, projectId } = ctx(req);
      const name = req.params.name;
      playbookNamed(config, name);
      requireOutbox(engine);
      // Whom the samples are about and what they say are read within the request's turn and
      // time limit; they are sent after it, as a run's deliveries are: a send inside the turn
      // would hold every other request (and the dispatcher) behind a slow receiver. The turn's
      // transaction has committed by then, so an unsubscribe key first made for these samples
      // is kept before any link signed with it goes out.
      const now = new Date();
      const test = { projectId, config, name, now, env: process.env, baseUrl: baseUrl() };
      const { asOf, prepared } = await inTurn(async () => {
        const asOf = await resolveAsOf(engine, projectId, req.query.as_of, true);
        return { asOf, prepared: await prepareTestSends(engine, { ...test, asOf }) };
      });
      const sends = await sendTestSamples(prepared, test);
      return { playbook: name, as_of: asOf, sends };
    },
  );
}
