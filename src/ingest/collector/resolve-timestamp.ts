import type { TimestampFlag } from './log-record.js';

/** Earlier than this, a timestamp is a default value or a bug, not an event. */
const EARLIEST = Date.parse('2000-01-01T00:00:00Z');
/** A timestamp this far past the receive time is a broken clock, not a queue. */
const FUTURE_MS = 24 * 3600 * 1000;

/** ISO 8601: a date, optionally a time (T or a space), optionally a zone (Z or ±hh[:]mm). */
const ISO =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?))?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Milliseconds since the epoch, or null. Strict: ISO 8601 text (without a zone it is UTC, never
 * the server's own zone) or a number of epoch milliseconds; Date.parse alone would take "1" for
 * 2001 and "March 7" for a date in 2001.
 */
function parse(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const m = ISO.exec(value.trim());
  if (!m) return null;
  const zone = (m[3] ?? 'Z').toUpperCase().replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(`${m[1]}T${m[2] ?? '00:00'}${zone}`);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * When an event happened, in UTC. With `sentAt` (the client's clock when it sent the batch) the
 * client's clock error cancels out: timestamp = receivedAt - (sentAt - timestamp). A missing,
 * unparseable or absurd timestamp falls back to the receive time, flagged: never dropped.
 */
export function resolveTimestamp(
  timestamp: unknown,
  sentAt: unknown,
  receivedAt: Date,
): { timestamp: string; flag?: TimestampFlag } {
  const received = receivedAt.getTime();
  if (timestamp === undefined || timestamp === null) {
    return { timestamp: receivedAt.toISOString(), flag: 'missing' };
  }
  const ts = parse(timestamp);
  if (ts === null) return { timestamp: receivedAt.toISOString(), flag: 'unparseable' };
  const sent = parse(sentAt);
  const corrected = sent === null ? ts : received - (sent - ts);
  if (!(corrected >= EARLIEST && corrected <= received + FUTURE_MS)) {
    return { timestamp: receivedAt.toISOString(), flag: 'absurd' };
  }
  const out = new Date(corrected).toISOString();
  return sent !== null && corrected !== ts
    ? { timestamp: out, flag: 'skew_corrected' }
    : { timestamp: out };
}
