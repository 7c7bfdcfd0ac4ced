import type { TimestampFlag } from './log-record.js';

/** Earlier than this, a timestamp is a default value or a bug, not an event. */
const EARLIEST = Date.parse('2000-01-01T00:00:00Z');
/** A timestamp this far past the receive time is a broken clock, not a queue. */
const FUTURE_MS = 24 * 3600 * 1000;

function parse(value: unknown): number | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const ms = Date.parse(value);
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
  if (corrected < EARLIEST || corrected > received + FUTURE_MS) {
    return { timestamp: receivedAt.toISOString(), flag: 'absurd' };
  }
  const out = new Date(corrected).toISOString();
  return sent !== null && corrected !== ts
    ? { timestamp: out, flag: 'skew_corrected' }
    : { timestamp: out };
}
