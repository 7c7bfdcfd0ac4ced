import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_COLLECTOR_LIMITS, type RouteLimits } from '../../model/collector-config.js';
import { BUSY_RETRY_SECONDS, shareOf, takeBody } from './bodies-in-flight.js';
import { collectMessages } from './collect-messages.js';
import type { Collector } from './collector.js';
import { decodeBody } from './decode-body.js';
import { isJsonObject, type JsonObject } from './json-values.js';
import { normalizePostHog } from './normalize-posthog.js';

const keyOf = (o: unknown): string | null => {
  if (!isJsonObject(o)) return null;
  const k = o.api_key ?? o.token ?? (isJsonObject(o.properties) ? o.properties.token : undefined);
  return typeof k === 'string' && k !== '' ? k : null;
};

/** A project may hold a few write keys (one being rotated out); no SDK sends more in a batch. */
const MAX_KEYS_PER_BATCH = 4;

function problem(reply: FastifyReply, status: number, error: string, extra: JsonObject = {}) {
  return reply.code(status).send({ status: 0, error, ...extra });
}

/**
 * PostHog's capture API: /capture, /batch, /e, /i/v0/e, /track (with or without a trailing
 * slash). The key is `api_key` or `token`, in the body or in each event; a request whose events
 * carry keys of different projects is refused as a whole.
 *
 * A request refused whole is answered and not kept in failed_events, unlike Segment's: its key
 * is only in the body, so one refused before its body is read or parsed (too large, not gzip,
 * not JSON) names no project; one with too many events is refused before its keys are looked up
 * (a batch may carry thousands of made-up ones); one refused for its keys has no project it can
 * be charged to. No part of a refused body, and so no key, is stored.
 */
export function registerPostHogRoutes(
  app: FastifyInstance,
  collector: Collector,
  limits: RouteLimits = DEFAULT_COLLECTOR_LIMITS.posthog,
): void {
  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    const receivedAt = new Date();
    const decoded = await decodeBody(takeBody(req), limits.maxBatchBytes, shareOf(req));
    if (!decoded.ok) {
      if (decoded.status === 429) reply.header('retry-after', String(BUSY_RETRY_SECONDS));
      return problem(reply, decoded.status, decoded.error);
    }
    const body = decoded.value;
    const messages: unknown[] = Array.isArray(body)
      ? body
      : isJsonObject(body) && Array.isArray(body.batch)
        ? body.batch
        : [body];
    if (messages.length > limits.maxBatchEvents) {
      return problem(
        reply,
        413,
        `batch of ${messages.length} events, the limit is ${limits.maxBatchEvents}`,
      );
    }
    const keys = new Set<string>();
    const top = keyOf(body);
    if (top) keys.add(top);
    for (const m of messages) {
      const k = keyOf(m);
      if (k) keys.add(k);
    }
    if (keys.size === 0) return problem(reply, 401, 'missing api_key (or token) in the body');
    // One project per request: a batch naming many keys is refused before they are looked up,
    // and the lookups stop at the first key that is not a write key or names a second project.
    if (keys.size > MAX_KEYS_PER_BATCH) {
      return problem(
        reply,
        401,
        `the events carry ${keys.size} different keys: send one project's`,
      );
    }
    let projectId: string | null = null;
    for (const k of keys) {
      const p = await collector.projectOfWriteKey(k);
      if (!p) return problem(reply, 401, 'unknown or revoked api_key (or not a write key)');
      if (projectId && p !== projectId) {
        return problem(reply, 401, 'the events carry keys of different projects');
      }
      projectId = p;
    }
    if (!projectId) return problem(reply, 401, 'missing api_key (or token) in the body');
    const { lines, rejected } = collectMessages(
      messages,
      {
        projectId,
        source: 'posthog',
        receivedAt,
        maxEventBytes: limits.maxEventBytes,
        standalone: (m) => {
          if (!isJsonObject(m)) return m;
          // Kept without its key (a credential); the row names the project.
          const { api_key: _key, token: _token, ...rest } = m;
          const properties = isJsonObject(rest.properties)
            ? (({ token: _t, ...p }) => p)(rest.properties)
            : rest.properties;
          return {
            ...(isJsonObject(body) && body.sent_at !== undefined ? { sent_at: body.sent_at } : {}),
            ...rest,
            ...(properties === undefined ? {} : { properties }),
          };
        },
      },
      (m) =>
        normalizePostHog(m, {
          projectId,
          source: 'posthog',
          receivedAt,
          sentAt: isJsonObject(body) ? body.sent_at : undefined,
        }),
    );
    await collector.acceptLines(lines);
    const accepted = messages.length - rejected.length;
    if (accepted === 0 && messages.length > 0) {
      return problem(reply, 400, 'no event could be stored', { rejected });
    }
    // PostHog's SDKs read {status: 1}; the extra fields are for people and scripts.
    return reply.code(200).send({ status: 1, accepted, rejected });
  };
  for (const path of ['/capture', '/batch', '/e', '/i/v0/e', '/track']) {
    app.post(path, { bodyLimit: limits.maxBatchBytes }, handle);
    app.post(`${path}/`, { bodyLimit: limits.maxBatchBytes }, handle);
  }
}
