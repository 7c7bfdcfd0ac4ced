/**
 * Import, rollup and report benchmarks (issues: core pipeline, 3). Every figure is measured in this
 * run next to a baseline (DuckDB's own raw load of the same file; the report from raw events), so
 * the ratios hold whatever the machine.
 *
 *   npm run bench                          # 10M events
 *   npm run bench -- --events 100000000    # 100M events (about 16 GB of disk, about 30 minutes)
 *   npm run bench -- --only report         # the report benchmark alone, on the database built
 *                                          # by an earlier run (built first when there is none)
 *   npm run bench -- --only engines        # the same report on DuckDB and on ClickHouse (chDB)
 *   npm run bench -- --only lifecycle      # a year of weekly snapshots, lifecycle, accounts
 *   npm run bench -- --only api            # API answers and the dashboard's first load
 *   npm run bench -- --only playbooks      # trigger evaluation after a refresh, dispatch rate
 *   BENCH_DIR=/big npm run bench -- --events 100000000 --only playbooks   # one part at 100M
 *
 * Report options: --runs N (warm runs, default 5), --raw-runs N (default 3), --memory-limit SIZE
 * (DuckDB memory limit of the rollup report's process).
 */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateDemo } from '../src/demo/generate-demo.js';
import { DuckDbEngine } from '../src/engines/duckdb/duckdb-engine.js';
import { runImport } from '../src/ingest/import/run-import.js';
import { runRollup } from '../src/rollup/run-rollup.js';
import { runApiBench } from './api-bench.js';
import { runEnginesBench } from './engines-bench.js';
import { runIngestBench } from './ingest-bench.js';
import { runLifecycleBench } from './lifecycle-bench.js';
import { runPlaybooksBench } from './playbooks-bench.js';
import { runReportBench } from './report-bench.js';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string' },
    dir: { type: 'string' },
    only: { type: 'string' },
    runs: { type: 'string', default: '5' },
    'raw-runs': { type: 'string', default: '3' },
    'memory-limit': { type: 'string' },
  },
});
const PARTS = ['report', 'ingest', 'engines', 'lifecycle', 'api', 'playbooks'];
if (args.only !== undefined && !PARTS.includes(args.only)) {
  throw new Error(`--only ${args.only}: the parts that run alone are ${PARTS.join(', ')}`);
}
const TARGET = Number(args.events ?? process.env.BENCH_EVENTS ?? 10_000_000);
const DAYS = 90;
const DIR = resolve(args.dir ?? process.env.BENCH_DIR ?? 'bench/data');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function freshDb(name: string): Promise<DuckDbEngine> {
  const path = join(DIR, name);
  rmSync(path, { force: true });
  rmSync(`${path}.wal`, { force: true });
  const engine = await DuckDbEngine.open({ path });
  await engine.migrate();
  return engine;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const out = await fn();
  return [out, (performance.now() - t) / 1000];
}

async function ensureData(): Promise<{ csv: string; parquet: string; events: number }> {
  mkdirSync(DIR, { recursive: true });
  // Calibrate users per event on a small sample so the big file lands near the target.
  const sample = await generateDemo({
    seed: 1,
    users: 3000,
    days: DAYS,
    end: '2026-10-31',
    outPath: join(DIR, 'calibrate.csv'),
    truthPath: join(DIR, 'calibrate-truth.json'),
  });
  const users = Math.max(100, Math.round((TARGET / sample.events) * 3000));
  const csv = join(DIR, `events-${users}u.csv`);
  const parquet = join(DIR, `events-${users}u.parquet`);
  if (!existsSync(csv)) {
    console.log(`generating ~${fmt(TARGET)} events (${fmt(users)} users x ${DAYS} days)...`);
    const [gen, s] = await timed(() =>
      generateDemo({
        seed: 42,
        users,
        days: DAYS,
        end: '2026-10-31',
        outPath: csv,
        truthPath: join(DIR, `truth-${users}u.json`),
      }),
    );
    console.log(
      `  generator: ${fmt(gen.events)} events in ${s.toFixed(1)} s (${fmt(gen.events / s)} events/s)`,
    );
  }
  if (!existsSync(parquet)) {
    const e = await DuckDbEngine.open({ path: ':memory:' });
    await e.exportParquet('SELECT * FROM read_csv($csv)', { csv }, parquet);
    await e.close();
  }
  const e = await DuckDbEngine.open({ path: ':memory:' });
  const [row] = await e.query<{ n: number }>('SELECT count(*) AS n FROM read_parquet($p)', {
    p: parquet,
  });
  await e.close();
  return { csv, parquet, events: row?.n ?? 0 };
}

interface Line {
  what: string;
  seconds: number;
  eventsPerSecond: number;
  ratio?: number;
}

/** The report benchmark (bench/report-bench.ts) on the database the Parquet import built. */
async function reportBench(): Promise<void> {
  const result = await runReportBench({
    db: join(DIR, 'bench-parquet.duckdb'),
    runs: Number(args.runs),
    rawRuns: Number(args['raw-runs']),
    memoryLimit: args['memory-limit'],
  });
  console.log(JSON.stringify({ report: result }, null, 2));
}

/** DuckDB against ClickHouse (chDB) on the same events (bench/engines-bench.ts). */
async function enginesBench(): Promise<void> {
  const db = join(DIR, 'bench-parquet.duckdb');
  const result = await runEnginesBench({
    db,
    chdb: join(DIR, 'bench-parquet.chdb'),
    runs: Number(args.runs),
  });
  console.log(JSON.stringify({ engines: result }, null, 2));
}

/** A year of weekly snapshots, the incremental run, lifecycle and accounts (bench/lifecycle-bench.ts). */
async function lifecycleBench(): Promise<void> {
  const result = await runLifecycleBench(join(DIR, 'bench-parquet.duckdb'));
  console.log(JSON.stringify({ lifecycle: result }, null, 2));
}

/** The API's answers and the dashboard's first load (bench/api-bench.ts). */
async function apiBench(): Promise<void> {
  const result = await runApiBench(join(DIR, 'bench-parquet.duckdb'));
  console.log(JSON.stringify({ api: result }, null, 2));
}

/** Trigger evaluation after a refresh and the dispatcher (bench/playbooks-bench.ts). */
async function playbooksBench(): Promise<void> {
  const result = await runPlaybooksBench(join(DIR, 'bench-parquet.duckdb'));
  console.log(JSON.stringify({ playbooks: result }, null, 2));
}

/**
 * For a part asked for alone (`--only`) when no full run built its database yet: the data
 * generated and imported from Parquet, and rolled up, without the load benchmarks around them.
 */
async function buildBenchDb(): Promise<void> {
  const data = await ensureData();
  const e = await freshDb('bench-parquet.duckdb');
  console.log(`building ${join(DIR, 'bench-parquet.duckdb')} from ${fmt(data.events)} events...`);
  await runImport(e, { path: data.parquet, projectId: 'default', timeZone: 'UTC' });
  await runRollup(e, { projectId: 'default', timeZone: 'UTC', sessionGapMinutes: 30 });
  await e.close();
}

async function main(): Promise<void> {
  const needsDb = ['playbooks', 'api', 'lifecycle', 'engines', 'report'];
  if (args.only !== undefined && needsDb.includes(args.only)) {
    if (!existsSync(join(DIR, 'bench-parquet.duckdb'))) await buildBenchDb();
  }
  if (args.only === 'playbooks' && existsSync(join(DIR, 'bench-parquet.duckdb'))) {
    await playbooksBench();
    return;
  }
  if (args.only === 'api' && existsSync(join(DIR, 'bench-parquet.duckdb'))) {
    await apiBench();
    return;
  }
  if (args.only === 'lifecycle' && existsSync(join(DIR, 'bench-parquet.duckdb'))) {
    await lifecycleBench();
    return;
  }
  if (args.only === 'engines' && existsSync(join(DIR, 'bench-parquet.duckdb'))) {
    await enginesBench();
    return;
  }
  if (args.only === 'ingest') {
    await runIngestBench({ seconds: 30, connections: 16 });
    return;
  }
  if (args.only === 'report' && existsSync(join(DIR, 'bench-parquet.duckdb'))) {
    await reportBench();
    return;
  }
  const data = await ensureData();
  const mb = (p: string) => (statSync(p).size / 1e6).toFixed(0);
  console.log(
    `data: ${fmt(data.events)} events; CSV ${mb(data.csv)} MB, Parquet ${mb(data.parquet)} MB`,
  );
  const lines: Line[] = [];
  const add = (what: string, seconds: number, ratio?: number) => {
    const line: Line = { what, seconds, eventsPerSecond: data.events / seconds };
    if (ratio !== undefined) line.ratio = ratio;
    lines.push(line);
    console.log(
      `  ${what.padEnd(48)} ${seconds.toFixed(2).padStart(7)} s  ${fmt(data.events / seconds).padStart(12)} ev/s${ratio === undefined ? '' : `  ${ratio.toFixed(2)}x baseline`}`,
    );
  };

  // Baselines: DuckDB's own load of the same files into a table of a fresh database file.
  let e = await freshDb('baseline.duckdb');
  const [, rawParquet] = await timed(() =>
    e.run('CREATE TABLE raw AS SELECT * FROM read_parquet($p)', { p: data.parquet }),
  );
  await e.close();
  add('baseline: CTAS read_parquet', rawParquet);
  e = await freshDb('baseline.duckdb');
  const [, rawCsv] = await timed(() =>
    e.run('CREATE TABLE raw AS SELECT * FROM read_csv($p)', { p: data.csv }),
  );
  await e.close();
  add('baseline: CTAS read_csv', rawCsv);

  e = await freshDb('bench-parquet.duckdb');
  const [pq, pqS] = await timed(() =>
    runImport(e, { path: data.parquet, projectId: 'default', timeZone: 'UTC' }),
  );
  add('powerlens import (Parquet)', pqS, pqS / rawParquet);
  const [, rollS] = await timed(() =>
    runRollup(e, { projectId: 'default', timeZone: 'UTC', sessionGapMinutes: 30 }),
  );
  add('rollup: full build of user_day + user_day_event', rollS);
  // One day marked dirty, as after a day of live ingestion: the incremental refresh alone.
  await e.run(
    `INSERT OR IGNORE INTO rollup_dirty_days
     SELECT 'default', max(day) FROM user_day WHERE project_id = 'default'`,
  );
  const [inc, incS] = await timed(() =>
    runRollup(e, { projectId: 'default', timeZone: 'UTC', sessionGapMinutes: 30 }),
  );
  console.log(
    `  rollup: incremental refresh of one dirty day (${inc.days_rebuilt} days rebuilt)  ${incS.toFixed(2)} s (${(rollS / incS).toFixed(0)}x faster than the full build)`,
  );
  const [again, againS] = await timed(() =>
    runImport(e, { path: data.parquet, projectId: 'default', timeZone: 'UTC' }),
  );
  add('re-import of the same Parquet (all duplicates)', againS);
  await e.close();

  e = await freshDb('bench-csv.duckdb');
  const [cs, csS] = await timed(() =>
    runImport(e, { path: data.csv, projectId: 'default', timeZone: 'UTC' }),
  );
  add('powerlens import (CSV)', csS, csS / rawCsv);
  await e.close();

  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(`  peak RSS of this process: ${fmt(rss)} MB`);
  console.log(
    `  checks: parquet imported ${fmt(pq.imported)}, csv imported ${fmt(cs.imported)}, re-import added ${fmt(again.imported)}`,
  );
  console.log(JSON.stringify({ events: data.events, lines, peakRssMb: Math.round(rss) }, null, 2));
  await reportBench();
  await enginesBench();
  await lifecycleBench();
  await apiBench();
  await playbooksBench();
  await runIngestBench({ seconds: 30, connections: 16 });
}

await main();
