/**
 * Memory under large request bodies: `powerlens serve` in its own process receives N concurrent
 * PostHog batches of about 18 MB each (just under the route's 20 MB default), plain or gzipped,
 * in one or more rounds, and the server's peak RSS is read from /proc (VmHWM) at the end. Run it
 * with the default in-flight budget (collector.max_in_flight_size) and with one too large to
 * matter (`--budget 100GB`) to see what the budget bounds. Answers are counted by status (0: the
 * connection failed without one); every acknowledged event is checked to be stored after a
 * graceful stop. With more than one round, the load of the first round's events into DuckDB
 * runs during the next and adds its own memory.
 *
 *   node --import tsx bench/big-bodies-bench.ts [--connections 48] [--rounds 1] [--gzip]
 *     [--budget 128MB]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { DuckDbEngine } from '../src/engines/duckdb/duckdb-engine.js';
import { createProject } from '../src/projects/run-projects.js';

export interface BigBodiesOptions {
  connections: number;
  rounds: number;
  gzip: boolean;
  /** collector.max_in_flight_size, as written in powerlens.yaml; absent: the default. */
  budget?: string;
}

export interface BigBodiesResult {
  connections: number;
  rounds: number;
  gzip: boolean;
  budget: string;
  bodyMb: number;
  answers: Record<string, number>;
  peakRssMb: number;
  acknowledged: number;
  stored: number;
}

const EVENTS = 2300;
const PAD = 'x'.repeat(8000);

/** A PostHog batch of EVENTS events of about 8 KB each (18 MB); uuids distinct per request. */
function batch(key: string, request: number): Buffer {
  const now = new Date().toISOString();
  const events = Array.from({ length: EVENTS }, (_, i) => ({
    event: `feature_${i % 40}`,
    distinct_id: `u${i % 500}`,
    uuid: `r${request}-e${i}`,
    timestamp: now,
    properties: { pad: PAD, i },
  }));
  return Buffer.from(JSON.stringify({ api_key: key, batch: events, sent_at: now }));
}

/** One POST over a fresh connection; resolves with the status (0 when the connection failed). */
function post(base: string, body: Buffer, gzip: boolean): Promise<number> {
  const url = new URL('/batch/', base);
  return new Promise((done) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          ...(gzip ? { 'content-encoding': 'gzip' } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode ?? 0));
      },
    );
    req.on('error', (e) => {
      if (process.env.SHOW_ERRORS) console.error(e);
      done(0);
    });
    req.end(body);
  });
}

function startServe(args: string[]): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', resolve('src/cli/main.ts'), 'serve', '--port', '0', ...args],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return new Promise((done, fail) => {
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (process.env.SHOW_SERVER_LOG) process.stderr.write(d);
      const m = /collector on (http:\/\/[^\s]+)/.exec(err);
      if (m?.[1]) done({ child, base: m[1] });
    });
    child.on('exit', (code) => fail(new Error(`serve exited with ${code}: ${err}`)));
  });
}

export async function runBigBodiesBench(options: BigBodiesOptions): Promise<BigBodiesResult> {
  const dir = mkdtempSync(join(tmpdir(), 'powerlens-big-bodies-'));
  const db = join(dir, 'big.duckdb');
  const setup = await DuckDbEngine.open({ path: db });
  await setup.migrate();
  const { write_key: key } = await createProject(setup, { name: 'Bench', timeZone: 'UTC' });
  await setup.close();
  const config = join(dir, 'powerlens.yaml');
  writeFileSync(
    config,
    options.budget ? `collector:\n  max_in_flight_size: ${options.budget}\n` : 'collector: {}\n',
  );
  // Built before the server starts, so the client's own memory is not part of the run.
  const bodies = Array.from({ length: options.connections * options.rounds }, (_, r) => {
    const b = batch(key, r);
    return options.gzip ? gzipSync(b) : b;
  });
  const bodyMb = Math.round(batch(key, -1).length / 1024 / 102.4) / 10;
  const serve = await startServe(['--db', db, '--config', config]);
  const answers: Record<string, number> = {};
  let acknowledged = 0;
  for (let round = 0; round < options.rounds; round++) {
    const statuses = await Promise.all(
      Array.from({ length: options.connections }, (_, c) =>
        post(serve.base, bodies[round * options.connections + c] as Buffer, options.gzip),
      ),
    );
    for (const s of statuses) {
      answers[s] = (answers[s] ?? 0) + 1;
      if (s >= 200 && s < 300) acknowledged += EVENTS;
    }
  }
  const status = readFileSync(`/proc/${serve.child.pid}/status`, 'utf8');
  const peakRssMb = Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  const exited = new Promise((r) => serve.child.once('exit', r));
  serve.child.kill('SIGTERM'); // graceful: the log is loaded before the process ends
  await exited;
  const check = await DuckDbEngine.open({ path: db });
  const [row] = await check.query<{ n: number }>('SELECT count(*) AS n FROM events');
  await check.close();
  rmSync(dir, { recursive: true, force: true });
  const out: BigBodiesResult = {
    connections: options.connections,
    rounds: options.rounds,
    gzip: options.gzip,
    budget: options.budget ?? 'default',
    bodyMb,
    answers,
    peakRssMb,
    acknowledged,
    stored: row?.n ?? 0,
  };
  console.log(
    `big bodies: ${options.connections} concurrent PostHog batches of ${bodyMb} MB${options.gzip ? ' (gzipped)' : ''} x ${options.rounds} rounds, in-flight budget ${out.budget}: answers ${JSON.stringify(answers)}, server peak RSS ${peakRssMb} MB, stored ${out.stored} of ${acknowledged} acknowledged`,
  );
  console.log(JSON.stringify({ bigBodies: out }));
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      connections: { type: 'string', default: '48' },
      rounds: { type: 'string', default: '1' },
      gzip: { type: 'boolean', default: false },
      budget: { type: 'string' },
    },
  });
  await runBigBodiesBench({
    connections: Number(values.connections),
    rounds: Number(values.rounds),
    gzip: values.gzip,
    ...(values.budget ? { budget: values.budget } : {}),
  });
}
