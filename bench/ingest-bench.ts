/**
 * Ingest benchmark (issue 4): `powerlens serve` in its own process, loaded over loopback by
 * autocannon from this process with Segment batches of 100 events, every message id distinct.
 * Prints events/s, the answers by status (2xx, 429, other), p50 / p90 / p99 / max latency of the
 * acknowledged (2xx) requests next to the latency of all answers, and the server's peak RSS, then
 * checks that every acknowledged event was stored. Ends with the same figures as one JSON line
 * (`{"ingest": ...}`).
 *
 *   node --import tsx bench/ingest-bench.ts [--seconds 10] [--connections 32]
 */
import { spawn } from 'node:child_process';
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

export async function runIngestBench(options: IngestBenchOptions): Promise<IngestBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'powerlens-ingest-'));
  const db = join(dir, 'ingest.duckdb');
  const setup = await DuckDbEngine.open({ path: db });
  await setup.migrate();
  const { write_key: key } = await createProject(setup, { name: 'Bench', timeZone: 'UTC' });
  await setup.close();

  const child = spawn(
    process.execPath,
    ['--import', 'tsx', resolve('src/cli/main.ts'), 'serve', '--db', db, '--port', '0'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const base: string = await new Promise((done) => {
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (process.env.SHOW_SERVER_LOG) process.stderr.write(d);
      const m = /collector on (http:\/\/[^\s]+)/.exec(err);
      if (m?.[1]) done(m[1]);
    });
  });
  const peakRssMb = () => {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  };

  let seq = 0;
  const auth = `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
  // Every answer's latency, kept whole (a 10 s run is some tens of thousands of requests), so the
  // percentiles are exact and computed separately for the acknowledged (2xx) answers. autocannon's
  // own latency histogram mixes in the quick 429s of back-pressure.
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
  const latency = latencyOf(okTimes);
  const latencyAll = latencyOf(allTimes);
  const seconds = options.seconds;
  const eventsPerSecond = Math.round((ok * 100) / seconds);
  const otherCodes = [...byStatus]
    .filter(([status]) => status !== 429 && (status < 200 || status >= 300))
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  console.log(
    `ingest (issue 4): ${options.connections} connections, ${seconds} s, Segment batches of 100`,
  );
  console.log(
    `  requests: ${ok} answered 2xx, ${result.non2xx} other (${busy} 429, ${other} other status${otherCodes ? `: ${otherCodes}` : ''}), ${result.errors} errors (${result.timeouts} timeouts)`,
  );
  console.log(`  events/s acknowledged: ${eventsPerSecond.toLocaleString('en-US')}`);
  console.log(
    `  latency of acknowledged (2xx) requests: p50 ${ms(latency.p50)}, p90 ${ms(latency.p90)}, p99 ${ms(latency.p99)}, max ${ms(latency.max)}`,
  );
  console.log(
    `  latency of all answers (2xx, 429 and any other; as autocannon reports it): p50 ${ms(latencyAll.p50)}, p99 ${ms(latencyAll.p99)}, max ${ms(latencyAll.max)}`,
  );
  const peakRss = Math.round(peakRssMb());
  console.log(`  server peak RSS: ${peakRss} MB`);

  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM'); // graceful: loads the whole log
  await exited;
  const check = await DuckDbEngine.open({ path: db });
  const [row] = await check.query<{ n: number }>('SELECT count(*) AS n FROM events');
  await check.close();
  const stored = row?.n ?? 0;
  const acknowledged = ok * 100;
  console.log(
    `  stored after shutdown: ${stored.toLocaleString('en-US')} events (acknowledged ${acknowledged.toLocaleString('en-US')}${stored >= acknowledged ? '' : `; ${(acknowledged - stored).toLocaleString('en-US')} acknowledged events MISSING`})`,
  );
  const out: IngestBenchResult = {
    connections: options.connections,
    seconds,
    requests: { '2xx': ok, '429': busy, other, errors: result.errors, timeouts: result.timeouts },
    eventsPerSecond,
    latency,
    latencyAllAnswers: latencyAll,
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
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '32' },
    },
  });
  await runIngestBench({
    seconds: Number(values.seconds),
    connections: Number(values.connections),
  });
}
