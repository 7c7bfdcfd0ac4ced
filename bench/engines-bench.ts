/**
 * Engines benchmark (issue 5): the same full report (runAnalysis, default definition) on DuckDB and
 * on ClickHouse (chDB, in-process) over the same events, side by side in one run, by the rollup
 * path and by the raw-event path, with a check that both engines give the same report.
 *
 * - rollup path: the report from the rollups, cold (first run in a fresh process) and warm;
 * - raw-event path: the rollups rebuilt in full from the raw events, then the report;
 * - the reference query of the issue: the 30-day days-active histogram straight from raw events,
 *   written once through the dialect.
 *
 * The ClickHouse side gets the DuckDB benchmark database's events (exported to Parquet, read by
 * chDB's file()), so both count the very same rows. Each engine runs in a child process of its own
 * (chDB allows one session per process; peak RSS is the engine's alone). Called by bench/run.ts
 * (`npm run bench -- --only engines`); on its own:
 *
 *   node --expose-gc --import tsx bench/engines-bench.ts --db bench/data/bench-parquet.duckdb
 */
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Report } from '../src/analysis/report-types.js';
import { lastDataDay } from '../src/analysis/resolve-as-of.js';
import { runAnalysis } from '../src/analysis/run-analysis.js';
import { DuckDbEngine } from '../src/engines/duckdb/duckdb-engine.js';
import type { Engine } from '../src/engines/engine.js';
import { ConfigSchema } from '../src/model/config.js';
import { resolveDefinition } from '../src/model/resolve-definition.js';
import { runRollup } from '../src/rollup/run-rollup.js';
import { addDays } from '../src/time/days.js';
import { median, runJsonChild, sameSections } from './bench-child.js';

export interface EnginesBenchOptions {
  /** The DuckDB benchmark database (built by bench/run.ts). */
  db: string;
  /** The chDB data directory, built from the DuckDB database's events when missing or stale. */
  chdb: string;
  /** Warm runs of the report from the rollups. */
  runs: number;
}

type Side = 'duckdb' | 'chdb';

interface SideResult {
  side: Side;
  events: number;
  openSeconds: number;
  /** The report from the rollups: the first run cold, then the warm runs. */
  report: number[];
  /** The days-active histogram from raw events: the first run cold, then warm. */
  histogram: number[];
  histogramRows: { days: number; users: number }[];
  rollupBuild: number;
  reportAfterBuild: number;
  peakRssMb: number;
  result: Omit<Report, 'definition'>;
}

const PROJECT = 'default';
const TIME_ZONE = 'UTC';
const SESSION_GAP_MINUTES = 30;
const HISTOGRAM_RUNS = 3;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const out = await fn();
  return [out, (performance.now() - t) / 1000];
}

async function openSide(side: Side, options: EnginesBenchOptions): Promise<Engine> {
  if (side === 'duckdb') return DuckDbEngine.open({ path: options.db });
  const { ChdbEngine } = await import('../src/engines/clickhouse/chdb-engine.js');
  return ChdbEngine.open({ path: options.chdb });
}

/** Users by days active in the 30 days to `asOf`, straight from the raw events. */
function histogramSql(engine: Engine): string {
  const d = engine.dialect;
  return `SELECT days, count(*) AS users FROM (
      SELECT coalesce(user_id, anonymous_id) AS uid,
        ${d.countDistinct(d.localDay('timestamp', d.param('tz', 'String')))} AS days
      FROM events
      WHERE project_id = ${d.param('p', 'String')}
        AND timestamp >= ${d.param('lo', 'DateTime')} AND timestamp < ${d.param('hi', 'DateTime')}
      GROUP BY uid) per_user
    GROUP BY days ORDER BY days`;
}

/** The chDB copy of the DuckDB database's events, rebuilt when the counts differ. */
async function prepareChdb(options: EnginesBenchOptions): Promise<void> {
  const duck = await DuckDbEngine.open({ path: options.db });
  const [want] = await duck.query<{ n: number }>('SELECT count(*) AS n FROM events');
  const { ChdbEngine } = await import('../src/engines/clickhouse/chdb-engine.js');
  if (existsSync(options.chdb)) {
    const ch = await ChdbEngine.open({ path: options.chdb });
    const [have] = await ch.query<{ n: number }>('SELECT count() AS n FROM events').catch(() => []);
    await ch.close();
    if (have?.n === want?.n) {
      await duck.close();
      process.stderr.write(`  chDB copy up to date (${want?.n} events)\n`);
      return;
    }
    rmSync(options.chdb, { recursive: true, force: true });
  }
  const parquet = `${options.chdb}.events.parquet`;
  const [, exportS] = await timed(() => duck.exportParquet('SELECT * FROM events', {}, parquet));
  await duck.close();
  const ch = await ChdbEngine.open({ path: options.chdb });
  await ch.migrate();
  const path = parquet.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  const [, loadS] = await timed(() =>
    ch.run(
      `INSERT INTO events SELECT project_id, message_id, timestamp, user_id, anonymous_id,
         account_id, event, properties, received_at, source, batch_id, timestamp_flag
       FROM file('${path}', Parquet)`,
    ),
  );
  await ch.close();
  rmSync(parquet, { force: true });
  process.stderr.write(
    `  chDB copy of ${want?.n} events: exported from DuckDB in ${exportS.toFixed(1)} s, loaded into MergeTree in ${loadS.toFixed(1)} s\n`,
  );
}

/** One engine, in this process. */
async function measureSide(
  side: Side,
  options: EnginesBenchOptions,
  asOf: string,
): Promise<SideResult> {
  const [engine, openSeconds] = await timed(() => openSide(side, options));
  await engine.migrate();
  const config = ConfigSchema.parse({});
  const definition = resolveDefinition(config);
  const analyse = () =>
    runAnalysis(engine, { projectId: PROJECT, definition, asOf, catalogue: config.catalogue });
  const say = (m: string) => process.stderr.write(`    ${side}: ${m}\n`);
  const rollup = () =>
    runRollup(engine, {
      projectId: PROJECT,
      timeZone: TIME_ZONE,
      sessionGapMinutes: SESSION_GAP_MINUTES,
    });
  // The chDB copy has no rollups yet: built (untimed) before the rollup path is measured.
  await rollup();
  const [events] = await engine.query<{ n: number }>('SELECT count(*) AS n FROM events');

  const report: number[] = [];
  let result: Report | undefined;
  for (let i = 0; i <= options.runs; i++) {
    const [r, s] = await timed(analyse);
    result = r;
    report.push(s);
    say(`report from rollups, run ${i + 1}: ${s.toFixed(3)} s`);
  }

  const histogram: number[] = [];
  let histogramRows: { days: number; users: number }[] = [];
  const params = {
    p: PROJECT,
    tz: TIME_ZONE,
    lo: `${addDays(asOf, -29)}T00:00:00Z`,
    hi: `${addDays(asOf, 1)}T00:00:00Z`,
  };
  for (let i = 0; i < HISTOGRAM_RUNS; i++) {
    const [rows, s] = await timed(() =>
      engine.query<{ days: number; users: number }>(histogramSql(engine), params),
    );
    histogramRows = rows;
    histogram.push(s);
    say(`days-active histogram from raw events, run ${i + 1}: ${s.toFixed(3)} s`);
  }

  const [, rollupBuild] = await timed(() =>
    runRollup(engine, {
      projectId: PROJECT,
      timeZone: TIME_ZONE,
      sessionGapMinutes: SESSION_GAP_MINUTES,
      full: true,
    }),
  );
  say(`full rollup build from raw events: ${rollupBuild.toFixed(2)} s`);
  const [, reportAfterBuild] = await timed(analyse);
  await engine.close();
  if (!result) throw new Error('no report run');
  const { definition: _d, ...rest } = result;
  return {
    side,
    events: events?.n ?? 0,
    openSeconds,
    report,
    histogram,
    histogramRows,
    rollupBuild,
    reportAfterBuild,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    result: rest,
  };
}

function runChild(
  mode: Side | 'prepare',
  options: EnginesBenchOptions,
  asOf: string,
): Promise<SideResult | null> {
  const args = ['--child', mode, '--db', options.db, '--chdb', options.chdb];
  args.push('--as-of', asOf, '--runs', String(options.runs));
  return runJsonChild<SideResult | null>(fileURLToPath(import.meta.url), args, mode);
}

export interface EnginesBenchResult {
  events: number;
  asOf: string;
  duckdb: SideSummary;
  chdb: SideSummary;
  matches: Record<string, boolean>;
}

interface SideSummary {
  reportCold: number;
  reportWarm: number;
  rollupBuild: number;
  rawPath: number;
  histogramCold: number;
  histogramWarm: number;
  peakRssMb: number;
}

export async function runEnginesBench(options: EnginesBenchOptions): Promise<EnginesBenchResult> {
  const duck = await DuckDbEngine.open({ path: options.db });
  const asOf = await lastDataDay(duck, PROJECT);
  await duck.close();
  if (!asOf) throw new Error(`${options.db} has no rolled-up data: run npm run bench first`);
  await runChild('prepare', options, asOf);
  const d = (await runChild('duckdb', options, asOf)) as SideResult;
  const c = (await runChild('chdb', options, asOf)) as SideResult;

  const matches = sameSections(d.result, c.result);
  matches.histogram = JSON.stringify(d.histogramRows) === JSON.stringify(c.histogramRows);
  const summary = (r: SideResult): SideSummary => ({
    reportCold: r.report[0] ?? 0,
    reportWarm: median(r.report.slice(1)),
    rollupBuild: r.rollupBuild,
    rawPath: r.rollupBuild + r.reportAfterBuild,
    histogramCold: r.histogram[0] ?? 0,
    histogramWarm: median(r.histogram.slice(1)),
    peakRssMb: r.peakRssMb,
  });
  const result: EnginesBenchResult = {
    events: d.events,
    asOf,
    duckdb: summary(d),
    chdb: summary(c),
    matches,
  };
  console.log(
    `engines (issue 5): ${d.events.toLocaleString('en-US')} events (chDB ${c.events.toLocaleString('en-US')}), as of ${asOf}, ${d.result.totals.active_users.toLocaleString('en-US')} active users`,
  );
  console.log(`  ${''.padEnd(52)} ${'DuckDB'.padStart(9)} ${'chDB'.padStart(9)}  chDB/DuckDB`);
  const row = (what: string, key: keyof SideSummary, unit = 's') => {
    const a = result.duckdb[key];
    const b = result.chdb[key];
    const digits = unit === 's' ? 3 : 0;
    console.log(
      `  ${what.padEnd(52)} ${`${a.toFixed(digits)} ${unit}`.padStart(9)} ${`${b.toFixed(digits)} ${unit}`.padStart(9)}  ${(b / a).toFixed(2)}x`,
    );
  };
  row('report from rollups, cold (first run, new process)', 'reportCold');
  row(`report from rollups, warm (median of ${options.runs})`, 'reportWarm');
  row('raw-event path: full rollup build from events', 'rollupBuild');
  row('raw-event path: rollup build + report', 'rawPath');
  row('days-active histogram (30 d) from raw events, cold', 'histogramCold');
  row(
    `days-active histogram from raw events, warm (median of ${HISTOGRAM_RUNS - 1})`,
    'histogramWarm',
  );
  row('peak RSS of the engine process', 'peakRssMb', 'MB');
  const same = Object.values(matches).every(Boolean);
  console.log(
    `  DuckDB and ClickHouse reports ${same ? 'match' : 'DIFFER'}: ${Object.entries(matches)
      .map(([k, v]) => `${k} ${v ? 'same' : 'DIFFERENT'}`)
      .join(', ')}`,
  );
  return result;
}

const isMain = process.argv[1] === fileURLToPath(import.meta.url);
if (isMain) {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      db: { type: 'string', default: 'bench/data/bench-parquet.duckdb' },
      chdb: { type: 'string' },
      'as-of': { type: 'string' },
      runs: { type: 'string', default: '5' },
    },
  });
  const options: EnginesBenchOptions = {
    db: values.db,
    chdb: values.chdb ?? values.db.replace(/\.duckdb$/, '.chdb'),
    runs: Number(values.runs),
  };
  if (values.child === 'prepare') {
    await prepareChdb(options);
  } else if (values.child === 'duckdb' || values.child === 'chdb') {
    const asOf = values['as-of'];
    if (!asOf) throw new Error('--as-of is required with --child');
    process.stdout.write(JSON.stringify(await measureSide(values.child, options, asOf)));
  } else {
    console.log(JSON.stringify(await runEnginesBench(options), null, 2));
  }
}
