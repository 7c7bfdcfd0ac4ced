import { rawText } from './json-values.js';
import { type LogLine, logLine } from './log-line.js';
import type { LogRecord } from './log-record.js';
import type { Normalized } from './normalize-segment.js';

export interface Collected {
  /** The log lines: one JSON record per message, stored or failed. */
  lines: LogLine[];
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
    /** Largest record a message may become, as written to the log (and stored). */
    maxEventBytes: number;
    /**
     * The message with what the request said about it folded in (route type, sentAt, batch
     * context), kept as the raw payload so it can be re-submitted on its own after a fix.
     */
    standalone?: (message: unknown) => unknown;
  },
  normalize: (message: unknown) => Normalized,
): Collected {
  const out: Collected = { lines: [], rejected: [] };
  const max = options.maxEventBytes;
  messages.forEach((m, index) => {
    let reason: string;
    try {
      const r: Normalized = normalize(m);
      if (r.ok) {
        // Measured on the line the log gets anyway, as it will be stored: what is written out
        // can be larger than what came (9e20 has 21 digits). Characters first; bytes only when
        // multi-byte characters could put the line over.
        const line = logLine(r.record);
        const size = line.length * 3 <= max ? line.length : Buffer.byteLength(line, 'utf8');
        if (size <= max) {
          out.lines.push(line);
          return;
        }
        reason = `message of ${size} bytes, the limit is ${max}`;
      } else reason = r.reason;
    } catch (err) {
      // Whatever a message holds (nesting deeper than the stack, say), it is rejected alone.
      reason = `message could not be read: ${(err as Error).message}`;
    }
    out.rejected.push({ index, reason });
    const failed: LogRecord = {
      kind: 'failed',
      project_id: options.projectId,
      source: options.source,
      reason,
      raw: rawText(options.standalone ? options.standalone(m) : m),
      received_at: options.receivedAt.toISOString(),
    };
    out.lines.push(logLine(failed));
  });
  return out;
}
