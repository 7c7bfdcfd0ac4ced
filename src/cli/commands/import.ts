import type { Command } from 'commander';
import pc from 'picocolors';
import { ENGINE_KINDS } from '../../engines/open-engine.js';
import { importIntoClickHouse } from '../../ingest/import/import-into-clickhouse.js';
import type { ImportSummary } from '../../ingest/import/run-import.js';
import { runImport } from '../../ingest/import/run-import.js';
import {
  type GlobalOptions,
  printJson,
  refreshRollups,
  withContext,
  withDataOptions,
} from '../context.js';
import { formatCount } from '../render/numbers.js';
import { progressReporter } from '../render/progress.js';

interface ImportFlags extends GlobalOptions {
  format?: string;
  user?: string;
  time?: string;
  event?: string;
  account?: string;
  id?: string;
  anonymous?: string;
  delimiter?: string;
  rollup: boolean;
}

export function renderImportSummary(s: ImportSummary): string {
  const n = formatCount;
  const lines = [
    `${pc.bold(n(s.imported))} imported, ${s.rejected > 0 ? pc.yellow(`${n(s.rejected)} rejected`) : '0 rejected'}, ${n(s.duplicates)} duplicates skipped (${n(s.rows_read)} rows in ${s.seconds.toFixed(1)} s, ${n(Math.round(s.rows_per_second))} rows/s)`,
    pc.dim(
      `  ${s.format}${s.shape === 'generic' ? '' : `, ${s.shape} export`}; fields: ${Object.entries(
        s.mapping,
      )
        .map(([k, v]) => `${k} <- ${v}`)
        .join(', ')}`,
    ),
  ];
  for (const r of s.reasons) {
    const unit = s.format === 'parquet' ? 'row' : 'line';
    lines.push(
      `  ${pc.yellow(n(r.rows))} ${r.reason} (${unit}${r.example_lines.length > 1 ? 's' : ''} ${r.example_lines.join(', ')}${r.rows > r.example_lines.length ? ', ...' : ''})`,
    );
  }
  if (s.rejected > 0) {
    lines.push(
      pc.dim(
        '  Rejected rows are kept in the failed_events table with their line and raw content;',
      ),
      pc.dim('  fix the file and import it again: valid rows are never stored twice.'),
    );
  }
  return lines.join('\n');
}

export function registerImport(program: Command): void {
  withDataOptions(
    program
      .command('import')
      .argument('<file>', 'CSV, NDJSON or Parquet file of events')
      .description('import events from a file (Amplitude and Mixpanel exports are recognised)'),
  )
    .option('--format <format>', 'csv, ndjson or parquet (default: from the extension)')
    .option('--user <field>', 'field holding the user id')
    .option('--time <field>', 'field holding the event time')
    .option('--event <field>', 'field holding the event name')
    .option('--account <field>', 'field holding the account (group) id')
    .option('--id <field>', 'field holding a unique message id')
    .option('--anonymous <field>', 'field holding an anonymous or device id')
    .option('--delimiter <char>', 'CSV delimiter (default: detected)')
    .option('--no-rollup', 'skip refreshing the daily rollups after the import')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, opts: ImportFlags) => {
      await withContext(
        opts,
        async (ctx) => {
          const { engine, config, projectId } = ctx;
          const progress = progressReporter('import', opts.json === true);
          const load = engine.dialect.name === 'duckdb' ? runImport : importIntoClickHouse;
          const summary = await load(engine, {
            path: file,
            projectId,
            timeZone: config.timeZone,
            format: opts.format,
            csvDelimiter: opts.delimiter,
            flags: {
              user: opts.user,
              time: opts.time,
              event: opts.event,
              account: opts.account,
              id: opts.id,
              anonymous: opts.anonymous,
            },
            // --json shows no progress: skip the count of the file's rows progress is told in.
            onProgress: opts.json ? undefined : (p) => progress.update(p),
          }).finally(() => progress.stop());
          const rollup = opts.rollup ? await refreshRollups(ctx) : null;
          if (opts.json) {
            printJson({ ...summary, rollup });
            return;
          }
          console.log(renderImportSummary(summary));
          if (rollup && rollup.mode !== 'up-to-date') {
            console.log(
              pc.dim(
                `  rollups: ${rollup.mode}, ${formatCount(rollup.days_rebuilt)} days, ${formatCount(rollup.user_days)} user-days in ${rollup.seconds.toFixed(1)} s`,
              ),
            );
          }
        },
        { engines: ENGINE_KINDS },
      );
    });
}
