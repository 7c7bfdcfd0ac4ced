import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_COLLECTOR_LIMITS, type RouteLimits } from '../../model/collector-config.js';
import {
  type BodyRefusedError,
  BUSY_RETRY_SECONDS,
  shareOf,
  takeBody,
} from './bodies-in-flight.js';
import { collectMessages } from './collect-messages.js';
import type { Collector } from './collector.js';
import { decodeBody } from './decode-body.js';
import { isJsonObject, type JsonObject, refusedRaw } from './json-values.js';
import { normalizeSegment, SEGMENT_TYPES, type SegmentType } from './normalize-segment.js';

/** The Basic auth user, which Segment's SDKs set to the write key (`writeKey:`). */
function basicUser(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  return auth?.startsWith('Basic ')
    ? Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':')[0]
    : undefined;
}

/**
 * The write key: Basic auth user, or `writeKey` in the body. When both are given and differ,
 * which project was meant cannot be told: `disagree`, and the request is refused.
 */
function writeKeyOf(req: FastifyRequest, body: unknown): { key: string | null; disagree: boolean } {
  const user = basicUser(req);
  const inBody = isJsonObject(body) && typeof body.writeKey === 'string' ? body.writeKey : null;
  return { key: user || inBody, disagree: Boolean(user && inBody && user !== inBody) };
}

/** How much of a request refused whole is kept (its start shows what went wrong). */
const REFUSED_RAW_CAP = 32 * 1024;

/** Whether a request was routed to the Segment routes (registered below under /v1/). */
export function isSegmentRoute(req: FastifyRequest): boolean {
  return req.routeOptions.url?.startsWith('/v1/') ?? false;
}

/**
 * A Segment request refused for its size before its body was read (create-server.ts) is kept in
 * failed_events when its Basic auth key names a project: Segment's SDKs drop a batch answered
 * 413, so the row is the only trace of it. The row holds the reason, the size and the limit, and
 * no body: it was refused so as not to read it, a cut piece of an oversized batch could not be
 * re-submitted anyway, and so nothing from it (a key in a `writeKey` field) can be stored.
 * Without a valid key nothing is stored: the request is a stranger's.
 */
export async function keepOversizedRequest(
  collector: Collector,
  req: FastifyRequest,
  err: BodyRefusedError,
): Promise<void> {
  const basic = basicUser(req);
  const project = basic ? await collector.projectOfWriteKey(basic) : null;
  if (!project) return;
  await collector.accept([
    {
      kind: 'failed',
      project_id: project,
      source: 'segment',
      reason: `request refused (413): ${err.message}; the body was not read`,
      raw: '',
      received_at: new Date().toISOString(),
    },
  ]);
}

function problem(reply: FastifyReply, status: number, error: string, extra: JsonObject = {}) {
  return reply.code(status).send({ success: false, error, ...extra });
}

/**
 * Segment's HTTP Tracking API (also what the RudderStack SDK speaks): /v1/track, identify, group,
 * page, screen, alias and batch. Accepted messages are durable before the 200; rejected ones are
 * listed with their index and reason and kept in failed_events.
 */
export function registerSegmentRoutes(
  app: FastifyInstance,
  collector: Collector,
  limits: RouteLimits = DEFAULT_COLLECTOR_LIMITS.segment,
): void {
  const handle =
    (type: SegmentType | 'batch') => async (req: FastifyRequest, reply: FastifyReply) => {
      const receivedAt = new Date();
      // A Basic auth key is checked before the body is even inflated or parsed: a stranger's
      // request costs no more than a key lookup.
      const basic = basicUser(req);
      const basicProject = basic ? await collector.projectOfWriteKey(basic) : null;
      if (basic && !basicProject) return problem(reply, 401, 'unknown or revoked write key');
      // A request refused whole, once its project is known, is kept in failed_events too: the
      // answer may never reach anyone, the row does. Never with a key in it: the parsed body
      // without its key fields, or the text with anything shaped like a key taken out.
      const refuse = async (
        status: number,
        error: string,
        project: string | null,
        body: Parameters<typeof refusedRaw>[0],
      ) => {
        if (project) {
          const named = 'value' in body ? writeKeyOf(req, body.value).key : null;
          await collector.accept([
            {
              kind: 'failed',
              project_id: project,
              source: 'segment',
              reason: `request refused (${status}): ${error}`,
              raw: refusedRaw(body, REFUSED_RAW_CAP, [basic, named]),
              received_at: receivedAt.toISOString(),
            },
          ]);
        }
        return problem(reply, status, error);
      };
      const decoded = await decodeBody(takeBody(req), limits.maxBatchBytes, shareOf(req));
      if (!decoded.ok) {
        // Asked to come back, not refused: nothing to keep.
        if (decoded.status === 429) {
          reply.header('retry-after', String(BUSY_RETRY_SECONDS));
          return problem(reply, 429, decoded.error);
        }
        return refuse(decoded.status, decoded.error, basicProject, decoded.start);
      }
      const body = decoded.value;
      const { key, disagree } = writeKeyOf(req, body);
      if (disagree) {
        return problem(
          reply,
          401,
          'the Basic auth write key and the body writeKey disagree: send one key, or the same in both',
        );
      }
      const projectId = key ? await collector.projectOfWriteKey(key) : null;
      if (!projectId) {
        return problem(
          reply,
          401,
          key
            ? 'unknown or revoked write key'
            : 'missing write key: use Basic auth with the write key as user, or writeKey in the body',
        );
      }
      if (!isJsonObject(body)) {
        return refuse(400, 'the body must be a JSON object', projectId, { value: body });
      }
      let messages: unknown[];
      if (type === 'batch') {
        if (!Array.isArray(body.batch)) {
          return refuse(400, 'batch must be an array of messages', projectId, { value: body });
        }
        if (body.batch.length > limits.maxBatchEvents) {
          return refuse(
            413,
            `batch of ${body.batch.length} messages, the limit is ${limits.maxBatchEvents}`,
            projectId,
            { value: body },
          );
        }
        messages = body.batch;
      } else messages = [body];
      const { lines, rejected } = collectMessages(
        messages,
        {
          projectId,
          source: 'segment',
          receivedAt,
          maxEventBytes: limits.maxEventBytes,
          // Kept without its key (a credential); the row names the project.
          standalone: (m) =>
            isJsonObject(m)
              ? {
                  ...(type !== 'batch' ? { type } : {}),
                  ...(body.sentAt !== undefined ? { sentAt: body.sentAt } : {}),
                  ...(({ writeKey: _key, ...rest }) => rest)(m),
                  ...(type === 'batch' && isJsonObject(body.context)
                    ? {
                        context: { ...body.context, ...(isJsonObject(m.context) ? m.context : {}) },
                      }
                    : {}),
                }
              : m,
        },
        (m) =>
          normalizeSegment(m, {
            projectId,
            source: 'segment',
            receivedAt,
            sentAt: body.sentAt,
            context: type === 'batch' ? body.context : undefined,
            type: type === 'batch' ? undefined : type,
          }),
      );
      await collector.acceptLines(lines);
      const accepted = messages.length - rejected.length;
      if (accepted === 0 && messages.length > 0) {
        return problem(reply, 400, 'no message could be stored', { rejected });
      }
      return reply.code(200).send({ success: true, accepted, rejected });
    };
  for (const type of [...SEGMENT_TYPES, 'batch'] as const) {
    app.post(`/v1/${type}`, handle(type));
    app.post(`/v1/${type}/`, handle(type));
  }
}
