/**
 * API and dashboard benchmark (issue 7): on the benchmark database, a real server on loopback
 * answers the overview's calls (the report, cached after its first computation, and the
 * lifecycle) and the users page (a page of 25, sorted by score: a scoring each time), warm, next
 * to the same report computed in-process without cache (runAnalysis) as the baseline; then the
 * dashboard's first load in headless Chromium, from the login link to the overview's numbers.
 * Called by bench/run.ts (`npm run bench -- --only api`); on its own:
 *
 *   node --expose-gc --import tsx bench/api-bench.ts --db bench/data/bench-parquet.duckdb
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { resolveAsOf } from '../src/analysis/resolve-as-of.js';
import { runAnalysis } from '../src/analysis/run-analysis.js';
import { DuckDbEngine } from '../src/engines/duckdb/duckdb-engine.js';
import { Collector } from '../src/ingest/collector/collector.js';
import { ConfigSchema } from '../src/model/config.js';
import { resolveDefinition } from '../src/model/resolve-definition.js';
import { resolveSegments } from '../src/model/segments.js';
import { generateKey, hashKey, keyId } from '../src/projects/api-keys.js';
import { Sessions } from '../src/server/api/sessions.js';
import { createServer } from '../src/server/create-server.js';
import { median } from './bench-child.js';

const RUNS = 5;

export interface ApiBenchResult {
  baselineReport: number;
  report: { cold: number; warm: number };
  lifecycle: number;
  usersPage: number;
  userPage: number;
  dashboardFirstLoad: number | null;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

export async function runApiBench(db: string): Promise<ApiBenchResult> {
  const engine = await DuckDbEngine.open({ path: db });
  await engine.migrate();
  const config = ConfigSchema.parse({});
  const base = {
    projectId: 'default',
    asOf: await resolveAsOf(engine, 'default', undefined),
    definition: resolveDefinition(config),
    catalogue: config.catalogue,
    segments: resolveSegments({}),
  };
  await runAnalysis(engine, base);
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) runs.push(await timed(() => runAnalysis(engine, base)));
  const baselineReport = median(runs);
  // A read key for the benchmark's project, stored as `projects create` would.
  const key = generateKey('read');
  await engine.run("DELETE FROM api_keys WHERE project_id = 'default'");
  await engine.insert('api_keys', [
    { key_id: keyId(key), project_id: 'default', scope: 'read', key_hash: hashKey(key) },
  ]);
  await engine.run("DELETE FROM report_cache WHERE project_id = 'default'");
  const logDir = mkdtempSync(join(tmpdir(), 'powerlens-api-bench-'));
  const collector = await Collector.start(engine, { logDir });
  const sessions = new Sessions();
  const app = createServer({
    collector,
    api: { engine, config: () => config, configFile: null, sessions },
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const get = (path: string) =>
    timed(async () => {
      const r = await fetch(`${url}/api/v1${path}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
    });
  const reportCold = await get('/report');
  const warm = async (path: string) => {
    await get(path);
    const xs: number[] = [];
    for (let i = 0; i < RUNS; i++) xs.push(await get(path));
    return median(xs);
  };
  const reportWarm = await warm('/report');
  const lifecycle = await warm('/lifecycle');
  const usersPage = await warm('/users?limit=25&sort=score');
  const top = (await (
    await fetch(`${url}/api/v1/users?limit=1&power=true`, {
      headers: { authorization: `Bearer ${key}` },
    })
  ).json()) as { users: { user_id: string }[] };
  const userPage = await warm(`/users/${encodeURIComponent(top.users[0]?.user_id ?? '')}`);

  let dashboardFirstLoad: number | null = null;
  if (existsSync('/usr/bin/chromium')) {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox'],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    dashboardFirstLoad = await timed(async () => {
      await page.goto(`${url}/#login=${sessions.issueCode('default')}`);
      await page.getByTestId('kpi-power').waitFor();
    });
    await browser.close();
  }
  await app.close();
  await collector.close();
  await engine.close();
  rmSync(logDir, { recursive: true, force: true });

  const result: ApiBenchResult = {
    baselineReport,
    report: { cold: reportCold, warm: reportWarm },
    lifecycle,
    usersPage,
    userPage,
    dashboardFirstLoad,
  };
  const line = (what: string, s: number) =>
    console.log(
      `  ${what.padEnd(58)} ${s.toFixed(3).padStart(8)} s  ${(s / baselineReport).toFixed(2).padStart(6)}x the baseline`,
    );
  console.log('API and dashboard (issue 7)');
  line('baseline: the report computed in-process, no cache', baselineReport);
  line('GET /report, first call (computed, then cached)', reportCold);
  line(`GET /report, warm (median of ${RUNS})`, reportWarm);
  line(`GET /lifecycle, warm (median of ${RUNS})`, lifecycle);
  line(`GET /users?limit=25 (users page), warm (median of ${RUNS})`, usersPage);
  line(`GET /users/{id} (user page), warm (median of ${RUNS})`, userPage);
  if (dashboardFirstLoad !== null)
    line('dashboard first load in headless Chromium', dashboardFirstLoad);
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { db: { type: 'string', default: 'bench/data/bench-parquet.duckdb' } },
  });
  console.log(JSON.stringify(await runApiBench(values.db), null, 2));
}
