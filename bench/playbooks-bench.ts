/**
 * Playbooks benchmark (issue 17), on the benchmark database: the trigger evaluation a refresh
 * starts (the latest snapshot period scored again, the triggers, the occurrences recorded with
 * their deliveries), next to one full power-user report measured in the same run as the
 * baseline; then the dispatcher's rate to a webhook receiver on loopback, and the latency from
 * an occurrence's firing to its receipt (p50, p99). Called by bench/run.ts
 * (`npm run bench -- --only playbooks`); on its own:
 *
 *   node --expose-gc --import tsx bench/playbooks-bench.ts --db bench/data/bench-parquet.duckdb
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { lastDataDay } from '../src/analysis/resolve-as-of.js';
import { runAnalysis } from '../src/analysis/run-analysis.js';
import { DuckDbEngine } from '../src/engines/duckdb/duckdb-engine.js';
import { ConfigSchema } from '../src/model/config.js';
import type { Playbook } from '../src/model/playbook.js';
import { resolveDefinition } from '../src/model/resolve-definition.js';
import { resolveSegments } from '../src/model/segments.js';
import { dispatchDue } from '../src/playbooks/dispatcher.js';
import type { Occurrence } from '../src/playbooks/occurrence.js';
import { recordOccurrences } from '../src/playbooks/outbox.js';
import { runPlaybooks } from '../src/playbooks/run-playbooks.js';

export interface PlaybooksBenchResult {
  events: number;
  asOf: string;
  report: number;
  /** The first run: the compared periods computed, the triggers, the outbox. */
  firstRun: number;
  /** A run after a refresh: the latest period again, the triggers, nothing new to record. */
  refreshRun: number;
  /** Each trigger family's playbooks run alone after the refresh run, seconds. */
  families: Record<string, number>;
  occurrences: number;
  dispatch: {
    deliveries: number;
    seconds: number;
    perSecond: number;
    p50Ms: number;
    p99Ms: number;
  };
  peakRssMb: number;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const out = await fn();
  return [out, (performance.now() - t) / 1000];
}

const SECRET = `whsec_${Buffer.from('benchmark secret of 32 bytes....').toString('base64')}`;

export async function runPlaybooksBench(
  db: string,
  deliveries = 2000,
): Promise<PlaybooksBenchResult> {
  const engine = await DuckDbEngine.open({ path: db });
  await engine.migrate();
  const asOf = await lastDataDay(engine, 'default');
  if (!asOf) throw new Error(`${db} has no rolled-up data: run npm run bench first`);
  const [events] = await engine.query<{ n: number }>('SELECT count(*) AS n FROM events');

  // The receiver: records when each delivery arrives, answers 204.
  const arrived = new Map<string, number>();
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrived.set(String(req.headers['webhook-id']), Date.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/in`;
  const webhook = { webhook: { url, secret_env: 'BENCH_SECRET' } };
  const limits = { max_per_run: 1_000_000 };
  // The feature mastered: the event most users did, as a product's core feature would be.
  const [top] = await engine.query<{ event: string }>(
    `SELECT event FROM user_day_event WHERE project_id = 'default'
     GROUP BY event ORDER BY count(DISTINCT user_id) DESC, event LIMIT 1`,
  );
  const config = ConfigSchema.parse({
    playbooks: {
      at_risk: { trigger: { on: 'entered_state', state: 'at_risk' }, actions: [webhook], limits },
      new_power: { trigger: { on: 'became_power_user' }, actions: [webhook] },
      lost: { trigger: { on: 'stopped_power_user' }, actions: [webhook] },
      master: {
        trigger: { on: 'mastered_feature', feature: top?.event ?? 'login', min_days: 20 },
        actions: [webhook],
        limits,
      },
      accounts_lost: {
        trigger: { on: 'account_signal', signal: 'lost_power_users' },
        actions: [webhook],
      },
      expansion: {
        trigger: { on: 'account_signal', signal: 'expansion_candidate' },
        actions: [webhook],
      },
      count_moved: {
        trigger: { on: 'power_user_count_changed', min_percent: 1 },
        actions: [webhook],
      },
      churn_flow: {
        trigger: { on: 'lifecycle_flow', from: 'retained', to: 'lost', min_users: 1 },
        actions: [webhook],
      },
    },
  });
  // The families timed alone after the refresh run: which one costs what.
  const FAMILIES: Record<string, string[]> = {
    'lifecycle and segments': ['at_risk', 'new_power', 'lost'],
    'mastered a feature': ['master'],
    'account signals': ['accounts_lost', 'expansion'],
    'project alerts': ['count_moved', 'churn_flow'],
  };
  const env = { BENCH_SECRET: SECRET };
  const definition = resolveDefinition(config);
  const base = {
    projectId: 'default',
    definition,
    catalogue: config.catalogue,
    segments: resolveSegments({}),
  };
  // A first run from nothing: no snapshots, an empty outbox.
  for (const table of [
    'user_snapshots',
    'playbook_cursors',
    'playbook_attempts',
    'playbook_deliveries',
    'playbook_occurrences',
  ]) {
    await engine.run(
      table === 'playbook_attempts'
        ? 'DELETE FROM playbook_attempts'
        : `DELETE FROM ${table} WHERE project_id = 'default'`,
    );
  }
  // Warm once, then the baseline: one full report.
  await runAnalysis(engine, { ...base, asOf });
  const [, report] = await timed(() => runAnalysis(engine, { ...base, asOf }));

  const run = (only?: string[]) =>
    runPlaybooks(engine, {
      projectId: 'default',
      config: only
        ? {
            ...config,
            playbooks: Object.fromEntries(only.map((n) => [n, config.playbooks[n] as Playbook])),
          }
        : config,
      asOf,
      now: new Date(),
      env,
      random: Math.random,
      dispatch: false,
    });
  const [first, firstRun] = await timed(() => run());
  const [, refreshRun] = await timed(() => run());
  const families: Record<string, number> = {};
  for (const [family, names] of Object.entries(FAMILIES)) {
    families[family] = (await timed(() => run(names)))[1];
  }
  const occurrences = Object.values(first.fired).reduce((a, b) => a + b, 0);

  // Dispatch: as many deliveries as asked, queued as one run would, then sent.
  const fired = new Date();
  const synthetic: Occurrence[] = Array.from({ length: deliveries }, (_, i) => ({
    occurrence_id: `bench-${fired.getTime()}-${i}`,
    project_id: 'default',
    playbook: 'at_risk',
    trigger: 'entered_state',
    subject_type: 'user',
    subject_id: `bench_user_${i}`,
    account_id: '',
    period_start: asOf,
    explanation: 'a benchmark delivery',
    data: { i },
  }));
  await recordOccurrences(engine, 'default', synthetic, config.playbooks, fired);
  const queuedAt = Date.now();
  const [sent, seconds] = await timed(() =>
    dispatchDue(engine, {
      projectId: 'default',
      playbooks: config.playbooks,
      now: new Date(),
      env,
      random: Math.random,
      limit: deliveries + occurrences,
    }),
  );
  const latencies = [...arrived.values()].map((t) => t - queuedAt).sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  await new Promise((done) => receiver.close(done));
  await engine.close();
  const result: PlaybooksBenchResult = {
    events: events?.n ?? 0,
    asOf,
    report,
    firstRun,
    refreshRun,
    families,
    occurrences,
    dispatch: {
      deliveries: sent.sent,
      seconds,
      perSecond: sent.sent / seconds,
      p50Ms: pct(0.5),
      p99Ms: pct(0.99),
    },
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  const line = (what: string, s: number) =>
    console.log(
      `  ${what.padEnd(60)} ${s.toFixed(2).padStart(8)} s  ${(s / report).toFixed(2).padStart(6)}x the report`,
    );
  console.log(
    `playbooks (issue 17): ${result.events.toLocaleString('en-US')} events, as of ${asOf}`,
  );
  line('baseline: one full power-user report', report);
  line(`first run: compared periods, triggers, ${occurrences} occurrences recorded`, firstRun);
  line('run after a refresh: the latest period again, triggers', refreshRun);
  for (const [family, s] of Object.entries(families)) line(`  of which, run alone: ${family}`, s);
  console.log(
    `  dispatch: ${sent.sent} webhooks in ${seconds.toFixed(2)} s = ${result.dispatch.perSecond.toFixed(0)}/s; firing to receipt p50 ${result.dispatch.p50Ms} ms, p99 ${result.dispatch.p99Ms} ms`,
  );
  console.log(`  peak RSS: ${result.peakRssMb} MB`);
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      db: { type: 'string', default: 'bench/data/bench-parquet.duckdb' },
      deliveries: { type: 'string', default: '2000' },
    },
  });
  console.log(
    JSON.stringify(await runPlaybooksBench(values.db, Number(values.deliveries)), null, 2),
  );
}
