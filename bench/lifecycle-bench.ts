/**
 * Lifecycle benchmark (issue 6): a year of weekly snapshots backfilled on the benchmark database,
 * then the weekly incremental run alone, the lifecycle report and the account report, each next
 * to one full power-user report (runAnalysis) measured in the same run as the baseline. Called by
 * bench/run.ts (`npm run bench -- --only lifecycle`); on its own:
 *
 *   node --expose-gc --import tsx bench/lifecycle-bench.ts --db bench/data/bench-parquet.duckdb
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { accountReport } from '../src/accounts/account-report.js';
import { lastDataDay } from '../src/analysis/resolve-as-of.js';
import { runAnalysis } from '../src/analysis/run-analysis.js';
import { duckdb } from '../src/dialect/duckdb.js';
import { DuckDbEngine } from '../src/engines/duckdb/duckdb-engine.js';
import { lifecycleReport } from '../src/lifecycle/lifecycle-report.js';
import { runSnapshots } from '../src/lifecycle/run-snapshots.js';
import { ConfigSchema } from '../src/model/config.js';
import { lifecycleRules } from '../src/model/lifecycle-config.js';
import { resolveDefinition } from '../src/model/resolve-definition.js';
import { resolveSegments } from '../src/model/segments.js';
import { addDays } from '../src/time/days.js';

export interface LifecycleBenchResult {
  events: number;
  asOf: string;
  report: number;
  backfill: { periods: number; seconds: number; perPeriod: number };
  incremental: number;
  lifecycleReport: number;
  accountReport: number;
  accounts: number;
  peakRssMb: number;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const out = await fn();
  return [out, (performance.now() - t) / 1000];
}

export async function runLifecycleBench(db: string): Promise<LifecycleBenchResult> {
  const engine = await DuckDbEngine.open({ path: db });
  await engine.migrate();
  const asOf = await lastDataDay(engine, 'default');
  if (!asOf) throw new Error(`${db} has no rolled-up data: run npm run bench first`);
  const [events] = await engine.query<{ n: number }>('SELECT count(*) AS n FROM events');
  const config = ConfigSchema.parse({});
  const definition = resolveDefinition(config);
  const segments = resolveSegments({});
  const base = { projectId: 'default', definition, catalogue: config.catalogue, segments };
  // Warm once, then the baseline: one full report.
  await runAnalysis(engine, { ...base, asOf });
  const [, report] = await timed(() => runAnalysis(engine, { ...base, asOf }));
  await engine.run("DELETE FROM user_snapshots WHERE project_id = 'default'");
  const from = addDays(asOf, -364);
  const [run, backfill] = await timed(() =>
    runSnapshots(engine, {
      ...base,
      period: 'week',
      from,
      asOf,
      onProgress: (done, total) => {
        if (done % 10 === 0) process.stderr.write(`    backfill ${done}/${total}\n`);
      },
    }),
  );
  const [, incremental] = await timed(() =>
    runSnapshots(engine, { ...base, period: 'week', asOf }),
  );
  const input = {
    projectId: 'default',
    definition: definition.name,
    period: 'week',
    rules: lifecycleRules(config.lifecycle),
    dialect: duckdb,
  };
  const [, lifecycle] = await timed(() => lifecycleReport(engine, input));
  const [accounts, account] = await timed(() =>
    accountReport(engine, { ...base, period: 'week', asOf }),
  );
  await engine.close();
  const result: LifecycleBenchResult = {
    events: events?.n ?? 0,
    asOf,
    report,
    backfill: {
      periods: run.periods.length,
      seconds: backfill,
      perPeriod: backfill / run.periods.length,
    },
    incremental,
    lifecycleReport: lifecycle,
    accountReport: account,
    accounts: accounts.accounts.length,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  const line = (what: string, s: number) =>
    console.log(
      `  ${what.padEnd(56)} ${s.toFixed(2).padStart(8)} s  ${(s / report).toFixed(1).padStart(6)}x the report`,
    );
  console.log(
    `lifecycle (issue 6): ${result.events.toLocaleString('en-US')} events, as of ${asOf}, ${result.accounts.toLocaleString('en-US')} accounts`,
  );
  line('baseline: one full power-user report', report);
  line(`backfill: ${run.periods.length} weekly snapshots (a year)`, backfill);
  line('incremental weekly run (the latest week again)', incremental);
  line('lifecycle report (states, flows, retention)', lifecycle);
  line('account report (signals, similarity)', account);
  console.log(`  peak RSS: ${result.peakRssMb} MB`);
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { db: { type: 'string', default: 'bench/data/bench-parquet.duckdb' } },
  });
  console.log(JSON.stringify(await runLifecycleBench(values.db), null, 2));
}
