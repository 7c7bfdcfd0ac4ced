import { randomUUID } from 'node:crypto';
import { idOf, isJsonObject, type JsonObject, wellFormed } from './json-values.js';
import type { LogRecord } from './log-record.js';
import { resolveTimestamp } from './resolve-timestamp.js';

/**
 * One Segment-spec message (Segment and RudderStack SDKs, Jitsu) into a log record, or a
 * rejection with its reason. Pure but for the server-assigned message id (injectable).
 */
export const SEGMENT_TYPES = ['track', 'identify', 'group', 'page', 'screen', 'alias'] as const;
export type SegmentType = (typeof SEGMENT_TYPES)[number];

export interface SegmentContext {
  projectId: string;
  source: string;
  receivedAt: Date;
  /** The batch's sentAt, used when a message has none of its own. */
  sentAt?: unknown;
  /** The batch-level context, merged under each message's own context. */
  context?: unknown;
  /** The type a single-message route implies (/v1/track), for messages without one. */
  type?: SegmentType;
  newId?: () => string;
}

export type Normalized = { ok: true; record: LogRecord } | { ok: false; reason: string };

export function normalizeSegment(message: unknown, ctx: SegmentContext): Normalized {
  if (!isJsonObject(message)) return { ok: false, reason: 'not a JSON object' };
  const m = wellFormed(message) as JsonObject;
  const type = m.type ?? ctx.type;
  if (typeof type !== 'string' || !(SEGMENT_TYPES as readonly string[]).includes(type)) {
    return {
      ok: false,
      reason: `type ${JSON.stringify(type ?? null)} is not one of ${SEGMENT_TYPES.join(', ')}`,
    };
  }
  const userId = idOf(m.userId);
  const anonymousId = idOf(m.anonymousId);
  const messageId = idOf(m.messageId) ?? (ctx.newId ?? randomUUID)();
  const context = {
    ...(isJsonObject(ctx.context) ? ctx.context : {}),
    ...(isJsonObject(m.context) ? m.context : {}),
  };
  const time = resolveTimestamp(m.timestamp, m.sentAt ?? ctx.sentAt, ctx.receivedAt);
  const common = {
    project_id: ctx.projectId,
    message_id: messageId,
    timestamp: time.timestamp,
    ...(time.flag ? { timestamp_flag: time.flag } : {}),
    received_at: ctx.receivedAt.toISOString(),
    source: ctx.source,
  };
  if (type === 'alias') {
    const previous = idOf(m.previousId);
    if (!userId || !previous) return { ok: false, reason: 'alias needs userId and previousId' };
    return {
      ok: true,
      record: { kind: 'alias', ...common, user_id: userId, previous_id: previous },
    };
  }
  if (!userId && !anonymousId) return { ok: false, reason: `${type} needs userId or anonymousId` };
  const traits = isJsonObject(m.traits)
    ? m.traits
    : isJsonObject(context.traits)
      ? context.traits
      : {};
  if (type === 'identify') {
    return {
      ok: true,
      record: { kind: 'identify', ...common, user_id: userId, anonymous_id: anonymousId, traits },
    };
  }
  if (type === 'group') {
    const groupId = idOf(m.groupId);
    if (!groupId) return { ok: false, reason: 'group needs groupId' };
    return {
      ok: true,
      record: {
        kind: 'group',
        ...common,
        user_id: userId,
        anonymous_id: anonymousId,
        account_id: groupId,
        traits,
      },
    };
  }
  let event: string;
  if (type === 'track') {
    if (typeof m.event !== 'string' || m.event.trim() === '') {
      return { ok: false, reason: 'track needs a non-empty event name' };
    }
    event = m.event;
  } else {
    // Page and screen views are presence: names the zero-config catalogue reads as login-like.
    event = type === 'page' ? 'page_viewed' : 'screen_viewed';
  }
  const properties: JsonObject = { ...(isJsonObject(m.properties) ? m.properties : {}) };
  if (type !== 'track' && typeof m.name === 'string') properties.name ??= m.name;
  if (Object.keys(context).length > 0) properties.$context = context;
  // The account of an event: Segment's convention is context.groupId.
  const account = idOf(context.groupId) ?? idOf(properties.groupId) ?? null;
  return {
    ok: true,
    record: {
      kind: 'event',
      ...common,
      user_id: userId,
      anonymous_id: anonymousId,
      account_id: account,
      event,
      properties,
    },
  };
}
