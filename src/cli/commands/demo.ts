import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { resolveAsOf } from '../../analysis/resolve-as-of.js';
import { runAnalysis } from '../../analysis/run-analysis.js';
import { readScoredUsers } from '../../analysis/score-users.js';
import { compareWithTruth, readTruth, type TruthCheck } from '../../demo/compare-with-truth.js';
import { generateDemo } from '../../demo/generate-demo.js';
import { DuckDbEngine } from '../../engines/duckdb/duckdb-engine.js';
import { compileReadCsvFile } from '../../ingest/import/compile-import.js';
import { importIntoClickHouse } from '../../ingest/import/import-into-clickhouse.js';
import { runImport } from '../../ingest/import/run-import.js';
import { resolveDefinition } from '../../model/resolve-definition.js';
import { resolveSegments } from '../../model/segments.js';
import { isIsoDay } from '../../time/days.js';
import {
  assertNotHeld,
  type GlobalOptions,
  printJson,
  refreshRollups,
  withContext,
  withDataOptions,
} from '../context.js';
import { progressReporter } from '../render/progress.js';
import { renderReport } from '../render/report-text.js';
import { renderImportSummary } from './import.js';
import { parsePositiveInt } from './parse-options.js';

const DEMO_DB = '.powerlens/demo.duckdb';
const DEMO_CHDB = '.powerlens/demo.chdb';
/** A fixed end date keeps the demo identical on every machine and every day for a seed. */
const DEMO_END = '2026-10-31';

interface DemoFlags extends GlobalOptions {
  seed: string;
  users: string;
  days: string;
  end: string;
  dataDir: string;
  format: string;
  force?: boolean;
}

function latest(a: Date, b: Date): Date {
  return a > b ? a : b;
}

function renderTruth(t: TruthCheck): string {
  const lines = [pc.bold('Check against the planted truth (demo only)')];
  lines.push(
    `  precision ${t.precision.toFixed(3)}, recall ${t.recall.toFixed(3)} (${t.true_positives} of ${t.found_power_users} found are planted; ${t.planted_power_users} planted)`,
  );
  for (const [type, v] of Object.entries(t.flagged_by_type)) {
    lines.push(
      `  ${type.padEnd(14)} ${String(v.flagged).padStart(5)} of ${v.users} flagged as power users`,
    );
  }
  return lines.join('\n');
}

export function registerDemo(program: Command): void {
  withDataOptions(
    program
      .command('demo')
      .description('generate realistic demo data, import it and show the power-user report'),
    DEMO_DB,
  )
    .option('--seed <n>', 'random seed (same seed, same data)', '42')
    .option('--users <n>', 'number of users', '2000')
    .option('--days <n>', 'days of history', '90')
    .option('--end <date>', 'last day of the generated data', DEMO_END)
    .option('--data-dir <dir>', 'where the generated files go', '.powerlens/demo')
    .option('--format <format>', 'file to generate and import: csv or parquet', 'csv')
    .option('--force', 'replace an existing database given with --db')
    .option('--json', 'print the report and the truth check as JSON')
    .action(async (opts: DemoFlags) => {
      const seed = Number.parseInt(opts.seed, 10);
      if (!Number.isInteger(seed)) throw new Error(`--seed ${opts.seed}: use a whole number.`);
      const users = parsePositiveInt('--users', opts.users);
      const days = parsePositiveInt('--days', opts.days);
      if (!isIsoDay(opts.end)) throw new Error(`--end ${opts.end}: use a date written YYYY-MM-DD.`);
      if (opts.format !== 'csv' && opts.format !== 'parquet') {
        throw new Error(`--format ${opts.format}: use csv or parquet.`);
      }
      if (opts.engine === 'clickhouse') {
        throw new Error(
          'the demo starts from an empty database, so it runs on the embedded engines (--engine duckdb or chdb); to try a server, import the files it writes with powerlens import --engine clickhouse.',
        );
      }
      const chdb = opts.engine === 'chdb';
      if (chdb && opts.db === DEMO_DB) opts.db = DEMO_CHDB;
      const dbPath = resolve(opts.db);
      if (existsSync(dbPath)) {
        if (dbPath !== resolve(DEMO_DB) && dbPath !== resolve(DEMO_CHDB) && !opts.force) {
          throw new Error(
            `${opts.db} exists; the demo starts from an empty database. Pass --force to replace it, or another --db.`,
          );
        }
        // Never under a process that holds it: a running serve would write into a deleted file.
        if (!chdb) await assertNotHeld(dbPath);
        // A chDB database is a directory.
        rmSync(dbPath, { force: true, recursive: chdb });
        rmSync(`${dbPath}.wal`, { force: true });
      }
      const eventsPath = join(opts.dataDir, `events-${seed}-${users}-${days}.csv`);
      const truthPath = join(opts.dataDir, `truth-${seed}-${users}-${days}.json`);
      const quiet = opts.json === true;
      if (!quiet) process.stderr.write(pc.dim(`generating ${users} users over ${days} days...\n`));
      const gen = await generateDemo({
        seed,
        users,
        days,
        end: opts.end,
        outPath: eventsPath,
        truthPath,
      });
      if (!quiet) {
        process.stderr.write(
          pc.dim(`wrote ${gen.events.toLocaleString('en-US')} events to ${eventsPath}\n`),
        );
      }
      let importPath = eventsPath;
      if (opts.format === 'parquet') {
        importPath = eventsPath.replace(/\.csv$/, '.parquet');
        await csvToParquet(eventsPath, importPath);
      }
      await withContext(
        opts,
        async (ctx) => {
          const { engine, config, projectId } = ctx;
          const progress = progressReporter('import', quiet);
          const load = engine.dialect.name === 'duckdb' ? runImport : importIntoClickHouse;
          const summary = await load(engine, {
            path: importPath,
            projectId,
            timeZone: config.timeZone,
            // Generated data may lie ahead of this machine's clock; it is not a client's bad clock.
            now: latest(new Date(), new Date(Date.parse(`${opts.end}T00:00:00Z`) + 86_400_000)),
            onProgress: (p) => progress.update(p),
          }).finally(() => progress.stop());
          await refreshRollups(ctx);
          const report = await runAnalysis(engine, {
            projectId,
            asOf: await resolveAsOf(engine, projectId, undefined),
            definition: resolveDefinition(config),
            catalogue: config.catalogue,
            segments: resolveSegments(config.segments),
          });
          const truth = compareWithTruth(
            await readScoredUsers(engine, report.definition),
            readTruth(truthPath),
          );
          if (opts.json) {
            printJson({ generated: gen, import: summary, report, truth_check: truth });
            return;
          }
          console.log(renderImportSummary(summary));
          console.log('');
          console.log(renderReport(report));
          console.log('');
          console.log(renderTruth(truth));
          console.log('');
          const someone = report.top_power_users[0]?.user_id ?? 'USER_ID';
          const db = `--db ${opts.db}${chdb ? ' --engine chdb' : ''}`;
          console.log(
            pc.dim(
              [
                'Explore further:',
                `  powerlens explain ${someone} ${db}   # why this user`,
                `  powerlens analyze ${db} --set days_active.min=15   # what if the bar were lower`,
                `  powerlens users --power --csv ${db} > power-users.csv   # for a spreadsheet`,
                `  powerlens catalog ${db}   # the features, inferred from the events`,
                'Your own data: powerlens import FILE (README: "Your own data in five minutes")',
              ].join('\n'),
            ),
          );
        },
        { engines: ['duckdb', 'chdb'] },
      );
    });
}

/** The generated CSV as Parquet, written by DuckDB whichever engine the demo runs on. */
async function csvToParquet(csv: string, parquet: string): Promise<void> {
  const duck = await DuckDbEngine.open({ path: ':memory:' });
  try {
    const rows = compileReadCsvFile(csv);
    await duck.exportParquet(rows.sql, rows.params, parquet);
  } finally {
    await duck.close();
  }
}
