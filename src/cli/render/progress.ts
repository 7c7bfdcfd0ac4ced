import cliProgress from 'cli-progress';
import type { QueryProgress } from '../../engines/engine.js';
import { formatCount } from './numbers.js';

export interface ProgressReporter {
  update(p: QueryProgress): void;
  stop(): void;
}

/**
 * A bar with rows/s on a terminal; plain lines every few seconds otherwise (logs, CI), on stderr so
 * --json output stays clean.
 */
export function progressReporter(label: string, quiet = false): ProgressReporter {
  const started = performance.now();
  const rate = (rows: number): string => {
    const s = (performance.now() - started) / 1000;
    return s > 0 ? formatCount(rows / s) : '0';
  };
  if (quiet) return { update() {}, stop() {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | {rows} rows | {rate} rows/s | {duration_formatted}`,
        stream: process.stderr,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(100, 0, { rows: '0', rate: '0' });
    return {
      update(p) {
        bar.update(Math.max(0, Math.round(p.percentage)), {
          rows: formatCount(p.rowsProcessed),
          rate: rate(p.rowsProcessed),
        });
      },
      stop() {
        bar.update(100);
        bar.stop();
      },
    };
  }
  let lastLine = 0;
  return {
    update(p) {
      const now = performance.now();
      if (now - lastLine < 2000 || p.percentage <= 0) return;
      lastLine = now;
      process.stderr.write(
        `${label}: ${Math.round(p.percentage)}% (${formatCount(p.rowsProcessed)} rows, ${rate(p.rowsProcessed)} rows/s)\n`,
      );
    },
    stop() {},
  };
}
