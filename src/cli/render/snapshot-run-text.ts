import pc from 'picocolors';
import type { SnapshotRun } from '../../lifecycle/run-snapshots.js';
import { formatCount } from './numbers.js';
import { dimHeader, renderTable } from './table.js';

/** The periods a snapshot run stored, as a table, and how many. */
export function renderSnapshotRun(run: SnapshotRun): string {
  const table = renderTable(
    [run.period, 'scored as of', 'active users', 'power users'],
    run.periods.map((p) => [
      p.partial ? `${p.period_start} *` : p.period_start,
      p.as_of,
      formatCount(p.users),
      formatCount(p.power_users),
    ]),
  );
  const partial = run.periods.some((p) => p.partial)
    ? [pc.dim('* partial: the window starts before the first day of data')]
    : [];
  return [
    ...dimHeader(table),
    ...partial,
    pc.dim(
      `${formatCount(run.periods.length)} period(s) stored for definition "${run.definition}"`,
    ),
  ].join('\n');
}

/** A run's progress on stderr, one line per period begun, with the seconds since the start. */
export function snapshotProgress(): (done: number, total: number, start: string) => void {
  const started = performance.now();
  return (done, total, start) => {
    const s = ((performance.now() - started) / 1000).toFixed(1);
    if (done < total) process.stderr.write(pc.dim(`  ${done + 1}/${total} ${start} (${s} s)\n`));
  };
}
