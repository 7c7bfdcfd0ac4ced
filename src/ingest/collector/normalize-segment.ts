import { randomUUID } from 'node:crypto';
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

const RAW_CAP = 32 * 1024;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Ids may arrive as numbers (RudderStack turns them into strings itself); empty means absent. */
function id(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && v.trim() !== '') return v.toWellFormed();
  return null;
}

/** Strings with lone surrogates (valid JSON, invalid Unicode) get U+FFFD, at any depth. */
export function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return value.toWellFormed();
  if (Array.isArray(value)) return value.map(wellFormed);
  if (isObj(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k.toWellFormed(), wellFormed(v)]),
    );
  }
  return value;
}

export function rawText(message: unknown): string {
  const text = JSON.stringify(wellFormed(message)) ?? String(message);
  return text.length > RAW_CAP ? text.slice(0, RAW_CAP) : text;
}

export function normalizeSegment(message: unknown, ctx: SegmentContext): Normalized {
  if (!isObj(message)) return { ok: false, reason: 'not a JSON object' };
  const m = wellFormed(message) as Obj;
  const type = m.type ?? ctx.type;
  if (typeof type !== 'string' || !(SEGMENT_TYPES as readonly string[]).includes(type)) {
    return {
      ok: false,
      reason: `type ${JSON.stringify(type ?? null)} is not one of ${SEGMENT_TYPES.join(', ')}`,
    };
  }
  const userId = id(m.userId);
  const anonymousId = id(m.anonymousId);
  const messageId = id(m.messageId) ?? (ctx.newId ?? randomUUID)();
  const context = {
    ...(isObj(ctx.context) ? ctx.context : {}),
    ...(isObj(m.context) ? m.context : {}),
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
    const previous = id(m.previousId);
    if (!userId || !previous) return { ok: false, reason: 'alias needs userId and previousId' };
    return {
      ok: true,
      record: { kind: 'alias', ...common, user_id: userId, previous_id: previous },
    };
  }
  if (!userId && !anonymousId) return { ok: false, reason: `${type} needs userId or anonymousId` };
  const traits = isObj(m.traits) ? m.traits : isObj(context.traits) ? context.traits : {};
  if (type === 'identify') {
    return {
      ok: true,
      record: { kind: 'identify', ...common, user_id: userId, anonymous_id: anonymousId, traits },
    };
  }
  if (type === 'group') {
    const groupId = id(m.groupId);
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
  const properties: Obj = { ...(isObj(m.properties) ? m.properties : {}) };
  if (type !== 'track' && typeof m.name === 'string') properties.name ??= m.name;
  if (Object.keys(context).length > 0) properties.$context = context;
  // The account of an event: Segment's convention is context.groupId.
  const account = id(context.groupId) ?? id(properties.groupId) ?? null;
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
