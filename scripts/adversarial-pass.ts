/**
 * A short adversarial pass over `powerlens serve` (issue 13's check), against the real CLI in a
 * child process on loopback:
 *
 *   npm run adversarial -- [--seconds 60] [--kills 3] [--memory-limit 1GB]
 *
 * Two projects send at once: "other" only valid batches, "acme" valid batches interleaved with
 * poison (lone surrogates in a batch-level context, PostHog events over the limit made of emojis,
 * refused bodies carrying the write key, bodies over the size limit). Meanwhile the API is called
 * with acme's read key and random or extreme parameters on every GET route of its OpenAPI
 * document, and /healthz is polled. The server is killed with SIGKILL `--kills` times and
 * restarted; clients resend what was never acknowledged. At the end: acknowledged = stored for
 * each project (each once), the count of 5xx answers, the longest /healthz wait, the peak RSS of
 * each server process, and no write key in failed_events. Exits 1 when any check fails.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { DuckDbEngine } from '../src/engines/duckdb/duckdb-engine.js';
import { createProject } from '../src/projects/run-projects.js';
import { startServe } from '../test/helpers/serve-child.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    kills: { type: 'string', default: '3' },
    'memory-limit': { type: 'string' },
  },
});
const SECONDS = Number(args.seconds);
const KILLS = Number(args.kills);
/** serve's arguments: the database, and DuckDB's memory limit when given. */
const SERVE_ARGS = (db: string) => [
  '--db',
  db,
  ...(args['memory-limit'] ? ['--memory-limit', args['memory-limit']] : []),
];

const dir = mkdtempSync(join(tmpdir(), 'powerlens-adversarial-'));
const dbPath = join(dir, 'pass.duckdb');

const setup = await DuckDbEngine.open({ path: dbPath });
await setup.migrate();
const acme = await createProject(setup, { name: 'Acme', timeZone: 'UTC' });
const other = await createProject(setup, { name: 'Other', timeZone: 'UTC' });
await setup.close();

const acked = { acme: new Set<string>(), other: new Set<string>() };
const sent = { acme: new Map<string, object>(), other: new Map<string, object>() };
const counts = { requests: 0, api: 0, status5xx: 0, healthChecks: 0, healthFailures: 0 };
const fiveHundreds: string[] = [];
let longestHealthMs = 0;
let serial = 0;

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

function track(project: 'acme' | 'other') {
  const id = `${project}-${serial++}`;
  const m = { type: 'track', event: 'Report Exported', userId: `u${serial % 50}`, messageId: id };
  sent[project].set(id, m);
  return m;
}

async function post(base: string, path: string, body: string, headers: Record<string, string>) {
  counts.requests++;
  const r = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  await r.arrayBuffer();
  if (r.status >= 500 && r.status !== 503) {
    counts.status5xx++;
    fiveHundreds.push(`${r.status} POST ${path}`);
  }
  return r.status;
}

async function sendValid(base: string, project: 'acme' | 'other') {
  const batch = Array.from({ length: 50 }, () => track(project));
  const key = project === 'acme' ? acme.write_key : other.write_key;
  const status = await post(base, '/v1/batch', JSON.stringify({ batch }), {
    authorization: basic(key),
  });
  if (status === 200) for (const m of batch) acked[project].add(m.messageId);
}

/** Acme's poison, one kind after another; a valid message rides along where it can. */
async function sendPoison(base: string, n: number) {
  const auth = { authorization: basic(acme.write_key) };
  switch (n % 4) {
    case 0: {
      const ok = track('acme');
      const body = `{"context":{"x":"\\ud800"},"batch":[${JSON.stringify(ok)},{"type":"track","event":"E\\udfff","userId":"p","messageId":"poison-${n}","properties":{"k\\ud83d":"v"}}]}`;
      // The poison message is valid Segment, so it is acknowledged and must be stored too.
      sent.acme.set(`poison-${n}`, {});
      if ((await post(base, '/v1/batch', body, auth)) === 200) {
        acked.acme.add(ok.messageId);
        acked.acme.add(`poison-${n}`);
      }
      return;
    }
    case 1: {
      const big = JSON.stringify({
        api_key: acme.write_key,
        event: 'big',
        distinct_id: 'p',
        properties: { text: '😀'.repeat(700_000) },
      });
      await post(base, '/capture', big, {});
      return;
    }
    case 2:
      await post(
        base,
        '/v1/batch',
        JSON.stringify({ writeKey: acme.write_key, batch: 'nope' }),
        {},
      );
      return;
    default:
      await post(base, '/v1/batch', `{"batch":[${'"x",'.repeat(200_000)}"x"]}`, auth);
  }
}

/** Every GET route of the API with random and extreme parameter values. */
async function fuzzApi(base: string, until: () => boolean) {
  const doc = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
  };
  const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    ops.get ? [{ path, params: ops.get.parameters ?? [] }] : [],
  );
  const extreme = fc.oneof(
    fc.constantFrom(
      '9999-12-31',
      '0000-01-01',
      '2026-02-29',
      '2026-13-01',
      '1970-01-01',
      '2199-12-31',
      'constructor',
      '__proto__',
      '../..',
      '',
      '-1',
      '1e309',
      'NaN',
      '\ud800',
      'x'.repeat(5000),
      'day',
      'week',
      'month',
      'true',
    ),
    fc.string(),
    fc.integer().map(String),
  );
  const samples = fc.sample(
    fc.record({
      route: fc.integer({ min: 0, max: routes.length - 1 }),
      values: fc.array(extreme, { minLength: 8, maxLength: 8 }),
    }),
    { numRuns: 100_000, seed: 13 },
  );
  for (const s of samples) {
    if (until()) return;
    const route = routes[s.route];
    if (!route) continue;
    let path = route.path;
    const query = new URLSearchParams();
    route.params.forEach((p, i) => {
      const v = s.values[i % s.values.length] ?? '';
      if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(v || 'x'));
      else if (i % 3 !== 2) query.set(p.name, v);
    });
    const url = `${base}${path}${query.size ? `?${query}` : ''}`;
    counts.api++;
    try {
      const r = await fetch(url, { headers: { authorization: `Bearer ${acme.read_key}` } });
      await r.arrayBuffer();
      if (r.status >= 500 && r.status !== 503) {
        counts.status5xx++;
        fiveHundreds.push(`${r.status} GET ${url.slice(0, 200)}`);
      }
    } catch {
      return; // the server was killed under us
    }
  }
}

async function pollHealth(base: string, until: () => boolean) {
  while (!until()) {
    const t = performance.now();
    try {
      const r = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(10_000) });
      counts.healthChecks++;
      if (r.status !== 200) counts.healthFailures++;
      longestHealthMs = Math.max(longestHealthMs, performance.now() - t);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The peak resident set of a process so far (Linux), in MB. */
function peakRssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

const exitOf = (child: ChildProcess) =>
  new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', () => done());
  });

const peaks: number[] = [];
const rounds = KILLS + 1;
for (let round = 0; round < rounds; round++) {
  const { child, base } = await startServe(SERVE_ARGS(dbPath));
  process.stderr.write(`round ${round + 1} of ${rounds}: serve at ${base}\n`);
  let stop = false;
  const until = () => stop;
  const rssTimer = setInterval(() => peaks.push(peakRssMb(child.pid)), 500);
  const loops = [
    (async () => {
      while (!stop) await sendValid(base, 'other');
    })(),
    (async () => {
      for (let n = round * 100_000; !stop; n++) {
        await sendValid(base, 'acme');
        await sendPoison(base, n);
      }
    })(),
    fuzzApi(base, until),
    pollHealth(base, until),
  ].map((p) => p.catch(() => undefined));
  await new Promise((r) => setTimeout(r, (SECONDS * 1000) / rounds));
  peaks.push(peakRssMb(child.pid));
  const exited = exitOf(child);
  child.kill(round < KILLS ? 'SIGKILL' : 'SIGTERM');
  stop = true;
  await exited;
  clearInterval(rssTimer);
  await Promise.all(loops);
}

// Resend what was never acknowledged (as an SDK would), then stop the server gracefully.
process.stderr.write('resending what was not acknowledged\n');
{
  const { child, base } = await startServe(SERVE_ARGS(dbPath));
  for (const project of ['acme', 'other'] as const) {
    const missing = [...sent[project].keys()].filter(
      (id) => !acked[project].has(id) && !id.startsWith('poison-'),
    );
    const key = project === 'acme' ? acme.write_key : other.write_key;
    for (let i = 0; i < missing.length; i += 100) {
      const batch = missing.slice(i, i + 100).map((id) => sent[project].get(id));
      if (
        (await post(base, '/v1/batch', JSON.stringify({ batch }), {
          authorization: basic(key),
        })) === 200
      ) {
        for (const id of missing.slice(i, i + 100)) acked[project].add(id);
      }
    }
  }
  peaks.push(peakRssMb(child.pid));
  const exited = exitOf(child);
  child.kill('SIGTERM');
  await exited;
}

const db = await DuckDbEngine.open({ path: dbPath });
const result: Record<string, unknown> = {};
let ok = true;
for (const project of ['acme', 'other'] as const) {
  const rows = await db.query<{ message_id: string; n: number }>(
    'SELECT message_id, count(*) AS n FROM events WHERE project_id = $p GROUP BY message_id',
    { p: project },
  );
  const stored = new Map(rows.map((r) => [r.message_id, Number(r.n)]));
  const lost = [...acked[project]].filter((id) => !stored.has(id)).length;
  const twice = [...stored.values()].filter((n) => n > 1).length;
  result[project] = { acknowledged: acked[project].size, stored: stored.size, lost, twice };
  if (lost > 0 || twice > 0) ok = false;
}
const [leaks] = await db.query<{ n: number }>(
  'SELECT count(*) AS n FROM failed_events WHERE raw LIKE $a OR raw LIKE $b',
  { a: `%${acme.write_key}%`, b: `%${other.write_key}%` },
);
await db.close();
const summary = {
  ...result,
  requests: counts.requests,
  api_requests: counts.api,
  status_5xx: counts.status5xx,
  health_checks: counts.healthChecks,
  health_failures: counts.healthFailures,
  longest_health_ms: Math.round(longestHealthMs),
  peak_rss_mb: Math.round(Math.max(0, ...peaks)),
  write_keys_in_failed_events: Number(leaks?.n ?? 0),
  kills: KILLS,
  seconds: SECONDS,
};
if (counts.status5xx > 0 || counts.healthFailures > 0 || Number(leaks?.n ?? 0) > 0) ok = false;
console.log(JSON.stringify(summary, null, 2));
if (fiveHundreds.length > 0) console.log(fiveHundreds.slice(0, 20).join('\n'));
rmSync(dir, { recursive: true, force: true });
process.exit(ok ? 0 : 1);
