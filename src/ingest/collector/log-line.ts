import { wellFormed } from './json-values.js';
import type { LogRecord } from './log-record.js';

declare const logLineBrand: unique symbol;

/**
 * One record as the log stores it: JSON text the loader reads. Only `logLine` makes one, so
 * nothing reaches the log that skipped its repair (the collector takes LogLine, not string).
 */
export type LogLine = string & { readonly [logLineBrand]: true };

/**
 * JSON.stringify writes a lone surrogate as a \udXXX escape, which is valid JSON but not valid
 * Unicode, and DuckDB's reader refuses the whole file for it. Whatever part of a record carries
 * one (a batch-level context merged in, raw text cut inside an emoji), it becomes U+FFFD here.
 * Paired surrogates are written as the characters themselves, so text without a `\ud` escape is
 * already well formed and costs no second pass.
 */
export function logLine(record: LogRecord): LogLine {
  const text = JSON.stringify(record);
  if (!text.includes('\\ud')) return text as LogLine;
  return JSON.stringify(wellFormed(record)) as LogLine;
}
