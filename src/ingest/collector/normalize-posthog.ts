import { randomUUID } from 'node:crypto';
import { idOf, isJsonObject, type JsonObject, wellFormed } from './json-values.js';
import type { Normalized } from './normalize-segment.js';
import { resolveTimestamp } from './resolve-timestamp.js';

/**
 * One PostHog event (capture, or an element of a batch) into a log record. PostHog has no
 * message types: `$identify`, `$create_alias` and `$groupidentify` are events with reserved names
 * (docs/ingest-protocols.md), read here as identify, alias and group records.
 */
export interface PostHogContext {
  projectId: string;
  source: string;
  receivedAt: Date;
  /** The batch's sent_at, used when an event has none of its own. */
  sentAt?: unknown;
  newId?: () => string;
}

/**
 * PostHog's order: timestamp corrected with sent_at, else the timestamp, else `offset` (ms before
 * the event was sent), else the receive time.
 */
function timeOf(m: JsonObject, ctx: PostHogContext) {
  if (m.timestamp === undefined && typeof m.offset === 'number' && Number.isFinite(m.offset)) {
    // A number, not text: an offset beyond the range of dates is flagged absurd, not thrown.
    return resolveTimestamp(ctx.receivedAt.getTime() - m.offset, undefined, ctx.receivedAt);
  }
  return resolveTimestamp(m.timestamp, m.sent_at ?? ctx.sentAt, ctx.receivedAt);
}

/** The account of an event: its `$groups`, the "company" group first. */
function accountOf(properties: JsonObject): string | null {
  const groups = properties.$groups;
  if (!isJsonObject(groups)) return null;
  return idOf(groups.company) ?? idOf(Object.values(groups)[0]) ?? null;
}

export function normalizePostHog(message: unknown, ctx: PostHogContext): Normalized {
  if (!isJsonObject(message)) return { ok: false, reason: 'not a JSON object' };
  const m = wellFormed(message) as JsonObject;
  const properties: JsonObject = isJsonObject(m.properties) ? { ...m.properties } : {};
  const event = m.event;
  if (typeof event !== 'string' || event.trim() === '') {
    return { ok: false, reason: 'event needs a non-empty "event" name' };
  }
  const distinctId = idOf(m.distinct_id) ?? idOf(properties.distinct_id) ?? idOf(m.$distinct_id);
  if (!distinctId && event !== '$groupidentify') {
    return { ok: false, reason: `${event} needs a distinct_id` };
  }
  const time = timeOf(m, ctx);
  const common = {
    project_id: ctx.projectId,
    message_id: idOf(m.uuid) ?? (ctx.newId ?? randomUUID)(),
    timestamp: time.timestamp,
    ...(time.flag ? { timestamp_flag: time.flag } : {}),
    received_at: ctx.receivedAt.toISOString(),
    source: ctx.source,
  };
  if (event === '$identify') {
    const traits = isJsonObject(properties.$set) ? properties.$set : {};
    return {
      ok: true,
      record: {
        kind: 'identify',
        ...common,
        user_id: distinctId,
        anonymous_id: idOf(properties.$anon_distinct_id),
        traits,
      },
    };
  }
  if (event === '$create_alias') {
    const alias = idOf(properties.alias);
    if (!distinctId || !alias) return { ok: false, reason: '$create_alias needs properties.alias' };
    return {
      ok: true,
      record: { kind: 'alias', ...common, user_id: distinctId, previous_id: alias },
    };
  }
  if (event === '$groupidentify') {
    const key = idOf(properties.$group_key);
    if (!key) return { ok: false, reason: '$groupidentify needs properties.$group_key' };
    const traits = isJsonObject(properties.$group_set) ? properties.$group_set : {};
    return {
      ok: true,
      record: {
        kind: 'group',
        ...common,
        user_id: null,
        anonymous_id: null,
        account_id: key,
        traits,
      },
    };
  }
  // posthog-js puts the project key in every event's properties: it is a credential, not data.
  delete properties.token;
  return {
    ok: true,
    record: {
      kind: 'event',
      ...common,
      user_id: distinctId,
      anonymous_id: null,
      account_id: accountOf(properties),
      event,
      properties,
    },
  };
}
