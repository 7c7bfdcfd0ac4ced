import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import pc from 'picocolors';
import {
  exportFailedEvents,
  type FailedEventsFilter,
  failedEventIds,
  listFailedEvents,
} from '../../ingest/collector/list-failed-events.js';
import {
  type Resubmission,
  type ResubmitReport,
  resubmitFailed,
} from '../../ingest/collector/resubmit-failed.js';
import { collectorLimits } from '../../model/collector-config.js';
import { type GlobalOptions, printJson, withContext, withDataOptions } from '../context.js';
import { formatCount } from '../render/numbers.js';
import { parsePositiveInt } from './parse-options.js';

interface FailedFlags extends GlobalOptions {
  reason?: string;
  source?: string;
  limit: number;
  all?: boolean;
  export?: string;
  retry?: boolean;
  resubmit?: string;
}

/** The rows the filters select: unresolved ones unless --all. */
function selection(projectId: string, opts: FailedFlags): FailedEventsFilter {
  return {
    projectId,
    reason: opts.reason,
    source: opts.source,
    includeResolved: opts.all === true,
    match: 'pattern',
  };
}

/** The message of an exported line: the raw payload as JSON when it is whole, else its text. */
function messageOf(raw: string | null): unknown {
  try {
    return JSON.parse(raw ?? '');
  } catch {
    return raw;
  }
}

/**
 * An export file, edited: one JSON object per line with failed_id and the fixed message. Lines
 * that cannot be read stop the command before anything is stored, each named by its line.
 */
function readResubmissions(path: string): Resubmission[] {
  const problems: string[] = [];
  const items: Resubmission[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (e) {
        problems.push(`${path}:${i + 1}: not JSON (${(e as Error).message})`);
        return;
      }
      const o = parsed as { failed_id?: unknown; message?: unknown };
      if (typeof o?.failed_id !== 'string' || o.message === undefined) {
        problems.push(`${path}:${i + 1}: needs "failed_id" and "message", as --export writes them`);
        return;
      }
      items.push({ failed_id: o.failed_id, message: o.message });
    });
  if (problems.length > 0) throw new Error(`cannot re-submit:\n  ${problems.join('\n  ')}`);
  return items;
}

function printReport(report: ResubmitReport): void {
  console.log(
    `${pc.green(`${formatCount(report.stored.length)} stored`)}, ${formatCount(report.rejected.length)} rejected again, ${formatCount(report.skipped.length)} skipped`,
  );
  for (const r of report.rejected) console.log(`  ${pc.dim(r.failed_id)} ${pc.yellow(r.reason)}`);
  for (const s of report.skipped) console.log(`  ${pc.dim(s.failed_id)} ${s.why}`);
}

export function registerFailedEvents(program: Command): void {
  withDataOptions(
    program
      .command('failed-events')
      .description(
        'rejected rows and messages, with the reason and the raw content; export, fix and re-submit them',
      ),
  )
    .option('--reason <text>', 'only reasons containing this text')
    .option('--source <text>', 'only sources (file paths, segment, posthog) containing this text')
    .option('--limit <n>', 'at most this many rows', (v) => parsePositiveInt('--limit', v), 50)
    .option('--all', 'include rows already re-submitted and stored')
    .option(
      '--export <file>',
      'write the selected rows as NDJSON (failed_id, reason, message) to fix',
    )
    .option('--resubmit <file>', 're-submit the fixed messages of an --export file')
    .option('--retry', 're-submit the selected collector messages as they are (after a config fix)')
    .option('--json', 'print the rows or the outcome as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Re-submitting after a fix:',
        '  powerlens failed-events --reason "event name" --export fix.ndjson   # edit the messages',
        '  powerlens failed-events --resubmit fix.ndjson',
        '  powerlens failed-events --reason "the limit is" --retry             # after raising a limit',
        'Stop powerlens serve first: the database takes one writer. Rows from file imports are fixed',
        'by correcting the file and importing it again.',
      ].join('\n'),
    )
    .action(async (opts: FailedFlags) => {
      const items = opts.resubmit ? readResubmissions(opts.resubmit) : null;
      await withContext(opts, async ({ engine, projectId, config }) => {
        const filter = selection(projectId, opts);
        if (items || opts.retry) {
          const todo =
            items ?? (await failedEventIds(engine, filter)).map((id) => ({ failed_id: id }));
          const report = await resubmitFailed(engine, projectId, todo, {
            limits: collectorLimits(config.collector),
          });
          if (opts.json) printJson(report);
          else printReport(report);
          return;
        }
        if (opts.export) {
          const rows = await exportFailedEvents(engine, filter);
          const lines = rows.map((r) =>
            JSON.stringify({
              failed_id: r.failed_id,
              source: r.source,
              reason: r.reason,
              failed_at: r.failed_at,
              message: messageOf(r.raw),
            }),
          );
          writeFileSync(opts.export, lines.length > 0 ? `${lines.join('\n')}\n` : '');
          if (opts.json) printJson({ exported: rows.length, file: opts.export });
          else console.log(`${formatCount(rows.length)} rows written to ${opts.export}`);
          return;
        }
        const { total, rows } = await listFailedEvents(engine, filter, {
          order: 'source',
          limit: opts.limit,
          rawChars: 500,
        });
        if (opts.json) {
          printJson({ total, rows });
          return;
        }
        if (rows.length === 0) {
          console.log('no rejected rows');
          return;
        }
        for (const r of rows) {
          const where = r.source_line === null ? r.source : `${r.source}:${r.source_line}`;
          const resolved = r.resolved_at ? pc.green(' (re-submitted)') : '';
          console.log(
            `${pc.dim(where.replace(/^file:/, ''))} ${pc.yellow(r.reason)}${resolved} ${pc.dim(r.failed_id)}`,
          );
          if (r.raw) console.log(`  ${r.raw.slice(0, 200)}`);
        }
        if (total > rows.length)
          console.log(
            pc.dim(`(${formatCount(rows.length)} of ${formatCount(total)}; --limit for more)`),
          );
      });
    });
}
