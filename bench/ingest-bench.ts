/**
 * Ingest benchmark (issue 4): `powerlens serve` in its own process, loaded over loopback by
 * autocannon from this process with Segment batches of 100 events, every message id distinct.
 * Prints events/s, p50 / p99 latency and the server's peak RSS, then checks that every
 * acknowledged event was stored.
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

export async function runIngestBench(options: IngestBenchOptions): Promise<void> {
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
  const result = await autocannon({
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
  });
  const ok = result['2xx'];
  const seconds = options.seconds;
  console.log(
    `ingest (issue 4): ${options.connections} connections, ${seconds} s, Segment batches of 100`,
  );
  console.log(`  requests: ${ok} answered 2xx, ${result.non2xx} other, ${result.errors} errors`);
  console.log(
    `  events/s acknowledged: ${Math.round((ok * 100) / seconds).toLocaleString('en-US')}`,
  );
  console.log(
    `  latency: p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
  );
  console.log(`  server peak RSS: ${Math.round(peakRssMb())} MB`);

  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM'); // graceful: loads the whole log
  await exited;
  const check = await DuckDbEngine.open({ path: db });
  const [row] = await check.query<{ n: number }>('SELECT count(*) AS n FROM events');
  await check.close();
  console.log(
    `  stored after shutdown: ${(row?.n ?? 0).toLocaleString('en-US')} events (acknowledged ${(ok * 100).toLocaleString('en-US')})`,
  );
  if (process.env.KEEP_BENCH_DIR) console.log(`  kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
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
