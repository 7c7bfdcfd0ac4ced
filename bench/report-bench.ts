/**
 * Report benchmark (issue 3): the full report (runAnalysis with the default definition: every
 * user scored, curves, concentration, power users against everyone else, feature adoption, top
 * users) from the rollups, side by side with the same report from raw events (bench/raw-sources.ts)
 * in the same run.
 *
 * Each side runs in a child process of its own, so its peak RSS is the report's alone (not the
 * import's, nor the other side's) and "cold" is a fresh process and a fresh DuckDB instance (the
 * operating system's file cache is not dropped). Called by bench/run.ts; on its own:
 *
 *   node --expose-gc --import tsx bench/report-bench.ts --db bench/data/bench-parquet.duckdb
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cachedAnalysis } from '../src/analysis/report-cache.js';
import type { Report } from '../src/analysis/report-types.js';
import { lastDataDay } from '../src/analysis/resolve-as-of.js';
import { runAnalysis } from '../src/analysis/run-analysis.js';
import { DuckDbEngine } from '../src/engines/duckdb/duckdb-engine.js';
import { ConfigSchema } from '../src/model/config.js';
import { resolveDefinition } from '../src/model/resolve-definition.js';
import { runRollup } from '../src/rollup/run-rollup.js';
import { median, REPORT_SECTIONS, runJsonChild, sameSections } from './bench-child.js';
import { compileRawSources } from './raw-sources.js';

export interface ReportBenchOptions {
  db: string;
  /** Warm runs of the rollup report after the cold one (the median is reported). */
  runs: number;
  /** Runs of the raw-event report (the first is cold; the median of the rest is warm). */
  rawRuns: number;
  /**
   * DuckDB memory limit of the rollup report's process. The raw baseline keeps DuckDB's default
   * (80% of RAM): it sessionises every event and does not finish under a small limit.
   */
  memoryLimit?: string | undefined;
}

/** rollup: computed from the rollups; raw: from raw events; cached: read from report_cache. */
type Mode = 'rollup' | 'raw' | 'cached';

interface SideResult {
  mode: Mode;
  openSeconds: number;
  /** Wall time of each run, the first one cold. */
  seconds: number[];
  peakRssMb: number;
  report: Omit<Report, 'definition'>;
}

export interface ReportBenchResult {
  events: number;
  asOf: string;
  activeUsers: number;
  powerUsers: number;
  rollup: { cold: number; warm: number; runs: number[]; peakRssMb: number };
  /** The same report from the report cache (filled by the rollup side's last run). */
  cached: { cold: number; warm: number; runs: number[]; peakRssMb: number };
  raw: { cold: number; warm: number; runs: number[]; peakRssMb: number };
  /** Raw over rollup, warm against warm and cold against cold. */
  ratioWarm: number;
  ratioCold: number;
  matches: Record<string, boolean>;
}

const PROJECT = 'default';
const TIME_ZONE = 'UTC';
const SESSION_GAP_MINUTES = 30;

/** One side, in this process: open, then a cold run and the warm runs. */
async function measureSide(
  mode: Mode,
  db: string,
  asOf: string,
  runs: number,
  memoryLimit: string | undefined,
): Promise<SideResult> {
  const opened = performance.now();
  const engine = await DuckDbEngine.open({ path: db, memoryLimit });
  const openSeconds = (performance.now() - opened) / 1000;
  const config = ConfigSchema.parse({});
  const definition = resolveDefinition(config);
  const seconds: number[] = [];
  let report: Report | undefined;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    if (mode === 'cached') {
      const cached = await cachedAnalysis(engine, {
        projectId: PROJECT,
        definition,
        asOf,
        catalogue: config.catalogue,
      });
      if (!cached.cache.hit) throw new Error('the report cache was not filled by the rollup side');
      report = cached.report;
      seconds.push((performance.now() - t) / 1000);
      continue;
    }
    let sources: ReturnType<typeof compileRawSources>['sources'] | undefined;
    if (mode === 'raw') {
      const raw = compileRawSources({
        projectId: PROJECT,
        asOf,
        windowDays: definition.window_days,
        timeZone: TIME_ZONE,
        sessionGapSeconds: SESSION_GAP_MINUTES * 60,
        catalogue: config.catalogue,
      });
      for (const statement of raw.statements) await engine.run(statement, raw.params);
      sources = raw.sources;
    }
    report = await runAnalysis(engine, {
      projectId: PROJECT,
      definition,
      asOf,
      catalogue: config.catalogue,
      sources,
    });
    seconds.push((performance.now() - t) / 1000);
    process.stderr.write(`    ${mode} run ${i + 1}/${runs}: ${seconds.at(-1)?.toFixed(3)} s\n`);
  }
  // Leaves the report in the cache for the cached side (not timed).
  if (mode === 'rollup') {
    await cachedAnalysis(engine, {
      projectId: PROJECT,
      definition,
      asOf,
      catalogue: config.catalogue,
    });
  }
  await engine.close();
  if (!report) throw new Error('no run');
  const { definition: _definition, ...rest } = report;
  return {
    mode,
    openSeconds,
    seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    report: rest,
  };
}

/** Runs one side in a child process of this file and reads its result from the child's stdout. */
function runChild(
  mode: Mode,
  options: ReportBenchOptions,
  asOf: string,
  runs: number,
): Promise<SideResult> {
  const args = ['--child', mode, '--db', options.db, '--as-of', asOf, '--runs', String(runs)];
  if (options.memoryLimit && mode === 'rollup') args.push('--memory-limit', options.memoryLimit);
  return runJsonChild<SideResult>(fileURLToPath(import.meta.url), args, `report ${mode}`);
}

export async function runReportBench(options: ReportBenchOptions): Promise<ReportBenchResult> {
  // Bring the database to this revision's schema and rollups (a no-op when they are current), and
  // fix the as-of date both sides use.
  const engine = await DuckDbEngine.open({ path: options.db });
  await engine.migrate();
  await runRollup(engine, {
    projectId: PROJECT,
    timeZone: TIME_ZONE,
    sessionGapMinutes: SESSION_GAP_MINUTES,
  });
  const asOf = await lastDataDay(engine, PROJECT);
  const [count] = await engine.query<{ n: number }>(
    'SELECT count(*) AS n FROM events WHERE project_id = $p',
    { p: PROJECT },
  );
  await engine.close();
  if (!asOf) throw new Error(`${options.db} has no rolled-up data`);

  console.log(`report (issue 3): ${(count?.n ?? 0).toLocaleString('en-US')} events, as of ${asOf}`);
  const rollup = await runChild('rollup', options, asOf, 1 + options.runs);
  const cached = await runChild('cached', options, asOf, 1 + options.runs);
  const raw = await runChild('raw', options, asOf, options.rawRuns);

  const matches: Record<string, boolean> = sameSections(rollup.report, raw.report);
  for (const [s, same] of Object.entries(sameSections(rollup.report, cached.report))) {
    matches[`cached_${s}`] = same;
  }
  const side = (r: SideResult) => ({
    cold: r.seconds[0] ?? 0,
    warm: median(r.seconds.length > 1 ? r.seconds.slice(1) : r.seconds),
    runs: r.seconds,
    peakRssMb: Math.round(r.peakRssMb),
  });
  const result: ReportBenchResult = {
    events: count?.n ?? 0,
    asOf,
    activeUsers: rollup.report.totals.active_users,
    powerUsers: rollup.report.totals.power_users,
    rollup: side(rollup),
    cached: side(cached),
    raw: side(raw),
    ratioWarm: 0,
    ratioCold: 0,
    matches,
  };
  result.ratioWarm = result.raw.warm / result.rollup.warm;
  result.ratioCold = result.raw.cold / result.rollup.cold;

  const line = (what: string, s: number, extra = '') =>
    console.log(`  ${what.padEnd(48)} ${s.toFixed(3).padStart(8)} s${extra}`);
  console.log(
    `  ${rollup.report.totals.active_users.toLocaleString('en-US')} active users, ${rollup.report.totals.power_users.toLocaleString('en-US')} power users`,
  );
  line('report from rollups, cold (first run)', result.rollup.cold);
  line(`report from rollups, warm (median of ${options.runs})`, result.rollup.warm);
  line('same report from the report cache, new process', result.cached.cold);
  line(`same report from the report cache, warm (median of ${options.runs})`, result.cached.warm);
  line(
    'report from raw events, cold',
    result.raw.cold,
    `  ${result.ratioCold.toFixed(1)}x the rollup cold`,
  );
  if (raw.seconds.length > 1) {
    line(
      `report from raw events, warm (median of ${raw.seconds.length - 1})`,
      result.raw.warm,
      `  ${result.ratioWarm.toFixed(1)}x the rollup warm`,
    );
  }
  console.log(
    `  peak RSS: rollup report ${result.rollup.peakRssMb} MB${options.memoryLimit ? ` (DuckDB memory limit ${options.memoryLimit})` : ''}, cached report ${result.cached.peakRssMb} MB, raw report ${result.raw.peakRssMb} MB`,
  );
  const same = REPORT_SECTIONS.every((s) => matches[s]);
  console.log(
    `  raw and rollup reports ${same ? 'match' : 'DIFFER'}: ${REPORT_SECTIONS.map((s) => `${s} ${matches[s] ? 'same' : 'DIFFERENT'}`).join(', ')}`,
  );
  const sameCached = REPORT_SECTIONS.every((s) => matches[`cached_${s}`]);
  console.log(`  cached and computed reports ${sameCached ? 'match' : 'DIFFER'}`);
  return result;
}

const isMain = process.argv[1] === fileURLToPath(import.meta.url);
if (isMain) {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      db: { type: 'string', default: 'bench/data/bench-parquet.duckdb' },
      'as-of': { type: 'string' },
      runs: { type: 'string', default: '5' },
      'raw-runs': { type: 'string', default: '3' },
      'memory-limit': { type: 'string' },
    },
  });
  if (values.child === 'rollup' || values.child === 'raw' || values.child === 'cached') {
    const asOf = values['as-of'];
    if (!asOf) throw new Error('--as-of is required with --child');
    const result = await measureSide(
      values.child,
      values.db,
      asOf,
      Number(values.runs),
      values['memory-limit'],
    );
    process.stdout.write(JSON.stringify(result));
  } else {
    const result = await runReportBench({
      db: values.db,
      runs: Number(values.runs),
      rawRuns: Number(values['raw-runs']),
      memoryLimit: values['memory-limit'],
    });
    console.log(JSON.stringify(result, null, 2));
  }
}
