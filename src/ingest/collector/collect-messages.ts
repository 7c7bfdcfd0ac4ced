import { rawText } from './json-values.js';
import type { LogRecord } from './log-record.js';
import type { Normalized } from './normalize-segment.js';

export interface Collected {
  records: LogRecord[];
  rejected: { index: number; reason: string }[];
}

/**
 * Every message of a request as a log record: normalised, or, when too large or invalid, a
 * failed record with the reason and the raw message (so it is kept in failed_events and listed in
 * the answer by its index).
 */
export function collectMessages(
  messages: readonly unknown[],
  options: {
    projectId: string;
    source: string;
    receivedAt: Date;
    maxEventBytes: number;
    /** The decompressed body's size: no message of a body within the limit can exceed it. */
    bodyBytes: number;
    /**
     * The message with what the request said about it folded in (route type, sentAt, batch
     * context), kept as the raw payload so it can be re-submitted on its own after a fix.
     */
    standalone?: (message: unknown) => unknown;
  },
  normalize: (message: unknown) => Normalized,
): Collected {
  const out: Collected = { records: [], rejected: [] };
  messages.forEach((m, index) => {
    let r: Normalized;
    try {
      // Written out again a message can be larger than it came (9e20 has 21 digits), by less
      // than 6 times: a body under a sixth of the limit holds no message over it.
      const size =
        options.bodyBytes * 6 <= options.maxEventBytes
          ? 0
          : Buffer.byteLength(JSON.stringify(m) ?? '', 'utf8');
      r =
        size > options.maxEventBytes
          ? { ok: false, reason: `message of ${size} bytes, the limit is ${options.maxEventBytes}` }
          : normalize(m);
    } catch (err) {
      // Whatever a message holds (nesting deeper than the stack, say), it is rejected alone.
      r = { ok: false, reason: `message could not be read: ${(err as Error).message}` };
    }
    if (r.ok) {
      out.records.push(r.record);
      return;
    }
    out.rejected.push({ index, reason: r.reason });
    out.records.push({
      kind: 'failed',
      project_id: options.projectId,
      source: options.source,
      reason: r.reason,
      raw: rawText(options.standalone ? options.standalone(m) : m),
      received_at: options.receivedAt.toISOString(),
    });
  });
  return out;
}
