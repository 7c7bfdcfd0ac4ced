/**
 * Ingest benchmark (issue 4): `powerlens serve` in its own process, loaded over loopback by
 * autocannon from this process with Segment batches of 100 events, every message id distinct.
 * Prints events/s, the answers by status (2xx, 429, other), p50 / p90 / p99 / max latency of the
 * acknowledged (2xx) requests next to the latency of all answers, and the server's peak RSS, then
 * checks that every acknowledged event was stored. The same load first runs against the bare
 * framework (bench/bare-server.ts) as the baseline of the ratio. Ends with the figures as one JSON line
 * (`{"ingest": ...}`).
 *
 *   node --import tsx bench/ingest-bench.ts [--seconds 30] [--connections 16]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { DuckDbEngine } from '../src/engines/duckdb/duckdb-engine.js';
import { createProject } from '../src/projects/run-projects.js';

export interface IngestBenchOptions {
  seconds: number;
  connections: number;
}

/** Latencies in ms; percentiles by nearest rank over every answer recorded (no histogram). */
export interface Latency {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface IngestBenchResult {
  connections: number;
  seconds: number;
  /** Answers by status; `other` is any status but 2xx and 429; errors and timeouts got none. */
  requests: { '2xx': number; '429': number; other: number; errors: number; timeouts: number };
  /** Events acknowledged (2xx answers x 100) per second of the run. */
  eventsPerSecond: number;
  /** Latency of the acknowledged (2xx) requests: the one the p99 target is about. */
  latency: Latency;
  /** Latency of every answer, 429s included (what autocannon's own figures cover). */
  latencyAllAnswers: Latency;
  /** The same load on the bare framework (bench/bare-server.ts), in the same run. */
  baseline: { eventsPerSecond: number; latency: Latency };
  /** eventsPerSecond / baseline.eventsPerSecond. */
  ratioToBaseline: number;
  peakRssMb: number;
  stored: number;
  acknowledged: number;
}

function latencyOf(times: number[]): Latency {
  const sorted = Float64Array.from(times).sort();
  const at = (p: number) =>
    sorted.length === 0 ? 0 : (sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0);
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    count: sorted.length,
    p50: round(at(50)),
    p90: round(at(90)),
    p99: round(at(99)),
    max: round(sorted.at(-1) ?? 0),
  };
}

const ms = (v: number) => `${v} ms`;

/** A server in its own process, started with tsx; resolves with its base URL once it listens. */
function startServer(
  args: string[],
  ready: RegExp,
): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((done) => {
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (process.env.SHOW_SERVER_LOG) process.stderr.write(d);
      const m = ready.exec(err);
      if (m?.[1]) done({ child, base: m[1] });
    });
  });
}

interface Load {
  ok: number;
  busy: number;
  other: number;
  otherCodes: string;
  errors: number;
  timeouts: number;
  eventsPerSecond: number;
  latency: Latency;
  latencyAll: Latency;
}

/** autocannon against one server: Segment batches of 100 track events, distinct message ids. */
async function load(base: string, auth: string, options: IngestBenchOptions): Promise<Load> {
  let seq = 0;
  // Every answer's latency, kept whole (some tens of thousands of requests), so the percentiles
  // are exact and computed separately for the acknowledged (2xx) answers. autocannon's own
  // latency histogram mixes in the quick 429s of back-pressure.
  const okTimes: number[] = [];
  const allTimes: number[] = [];
  const byStatus = new Map<number, number>();
  const result = await new Promise<autocannon.Result>((done, fail) => {
    const instance = autocannon(
      {
        url: `${base}/v1/batch`,
        connections: options.connections,
        duration: options.seconds,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: auth },
            setupRequest: (req) => {
              const now = new Date().toISOString();
              const batch = Array.from({ length: 100 }, () => {
                const n = seq++;
                return {
                  type: 'track',
                  event: `feature_${n % 40}`,
                  userId: `u${n % 50_000}`,
                  messageId: `m${n}`,
                  timestamp: now,
                  properties: { plan: 'pro', n },
                };
              });
              return { ...req, body: JSON.stringify({ batch, sentAt: now }) };
            },
          },
        ],
      },
      (err, res) => (err ? fail(err) : done(res)),
    );
    // (client, statusCode, resBytes, responseTime in ms from process.hrtime): autocannon's
    // lib/run.js emits it for every completed response.
    instance.on('response', (_client, statusCode, _resBytes, responseTime) => {
      allTimes.push(responseTime);
      if (statusCode >= 200 && statusCode < 300) okTimes.push(responseTime);
      byStatus.set(statusCode, (byStatus.get(statusCode) ?? 0) + 1);
    });
  });
  let ok = 0;
  let busy = 0;
  let other = 0;
  for (const [status, n] of byStatus) {
    if (status >= 200 && status < 300) ok += n;
    else if (status === 429) busy += n;
    else other += n;
  }
  if (ok !== result['2xx'] || busy + other !== result.non2xx) {
    console.warn(
      `  warning: response events counted ${ok} 2xx and ${busy + other} other, autocannon ${result['2xx']} and ${result.non2xx}`,
    );
  }
  return {
    ok,
    busy,
    other,
    otherCodes: [...byStatus]
      .filter(([status]) => status !== 429 && (status < 200 || status >= 300))
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${n} ${status}`)
      .join(', '),
    errors: result.errors,
    timeouts: result.timeouts,
    eventsPerSecond: Math.round((ok * 100) / options.seconds),
    latency: latencyOf(okTimes),
    latencyAll: latencyOf(allTimes),
  };
}

const stop = async (child: ChildProcess) => {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM'); // graceful: powerlens serve loads the whole log first
  await exited;
};

export async function runIngestBench(options: IngestBenchOptions): Promise<IngestBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'powerlens-ingest-'));
  const db = join(dir, 'ingest.duckdb');
  const setup = await DuckDbEngine.open({ path: db });
  await setup.migrate();
  const { write_key: key } = await createProject(setup, { name: 'Bench', timeZone: 'UTC' });
  await setup.close();
  const auth = `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

  // Baseline first, same load: the framework alone, reading and parsing each body.
  const bare = await startServer([resolve('bench/bare-server.ts')], /bare server on (\S+)/);
  const baseline = await load(bare.base, auth, options);
  await stop(bare.child);

  const serve = await startServer(
    [resolve('src/cli/main.ts'), 'serve', '--db', db, '--port', '0'],
    /collector on (http:\/\/[^\s]+)/,
  );
  const peakRssMb = () => {
    const status = readFileSync(`/proc/${serve.child.pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  };
  const run = await load(serve.base, auth, options);
  const { latency, latencyAll: latencyAllAnswers } = run;
  const seconds = options.seconds;
  console.log(
    `ingest (issue 4): ${options.connections} connections, ${seconds} s, Segment batches of 100`,
  );
  console.log(
    `  requests: ${run.ok} answered 2xx, ${run.busy + run.other} other (${run.busy} 429, ${run.other} other status${run.otherCodes ? `: ${run.otherCodes}` : ''}), ${run.errors} errors (${run.timeouts} timeouts)`,
  );
  const ratio = run.eventsPerSecond / Math.max(1, baseline.eventsPerSecond);
  console.log(
    `  events/s acknowledged: ${run.eventsPerSecond.toLocaleString('en-US')} (${ratio.toFixed(2)}x the baseline's ${baseline.eventsPerSecond.toLocaleString('en-US')}: the same framework answering after parsing, storing nothing)`,
  );
  console.log(
    `  latency of acknowledged (2xx) requests: p50 ${ms(latency.p50)}, p90 ${ms(latency.p90)}, p99 ${ms(latency.p99)}, max ${ms(latency.max)} (baseline p50 ${ms(baseline.latency.p50)}, p99 ${ms(baseline.latency.p99)})`,
  );
  console.log(
    `  latency of all answers (2xx, 429 and any other; as autocannon reports it): p50 ${ms(latencyAllAnswers.p50)}, p99 ${ms(latencyAllAnswers.p99)}, max ${ms(latencyAllAnswers.max)}`,
  );
  const peakRss = Math.round(peakRssMb());
  console.log(`  server peak RSS: ${peakRss} MB`);
  await stop(serve.child);

  const check = await DuckDbEngine.open({ path: db });
  const [row] = await check.query<{ n: number }>('SELECT count(*) AS n FROM events');
  await check.close();
  const stored = row?.n ?? 0;
  const acknowledged = run.ok * 100;
  console.log(
    `  stored after shutdown: ${stored.toLocaleString('en-US')} events (acknowledged ${acknowledged.toLocaleString('en-US')}${stored >= acknowledged ? '' : `; ${(acknowledged - stored).toLocaleString('en-US')} acknowledged events MISSING`})`,
  );
  const out: IngestBenchResult = {
    connections: options.connections,
    seconds,
    requests: {
      '2xx': run.ok,
      '429': run.busy,
      other: run.other,
      errors: run.errors,
      timeouts: run.timeouts,
    },
    eventsPerSecond: run.eventsPerSecond,
    latency,
    latencyAllAnswers,
    baseline: { eventsPerSecond: baseline.eventsPerSecond, latency: baseline.latency },
    ratioToBaseline: Math.round(ratio * 100) / 100,
    peakRssMb: peakRss,
    stored,
    acknowledged,
  };
  console.log(JSON.stringify({ ingest: out }));
  if (process.env.KEEP_BENCH_DIR) console.log(`  kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '30' },
      connections: { type: 'string', default: '16' },
    },
  });
  await runIngestBench({
    seconds: Number(values.seconds),
    connections: Number(values.connections),
  });
}
