import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../src/engines/duckdb/duckdb-engine.js';
import { parseConfigText } from '../../src/model/config.js';
import { BATCH, LEASE_MARGIN_MS } from '../../src/playbooks/dispatcher.js';
import type { Occurrence } from '../../src/playbooks/occurrence.js';
import { recordOccurrences } from '../../src/playbooks/outbox.js';
import { runCli } from '../helpers/run-cli.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/*
 * kill -9 of `powerlens playbooks run` in the middle of sending: a real DuckDB file with hundreds
 * of queued deliveries, a slow Standard Webhooks receiver on 127.0.0.1 that records each
 * delivery when it arrives and answers it a little later, the real CLI in its own process killed
 * with SIGKILL once some deliveries arrived, then run again until nothing is queued. Every
 * delivery arrives; an id arrives twice only for a delivery whose first attempt the kill cut
 * short (its answer never reached the dispatcher, so no attempt 1 is logged), and there are at
 * most a batch of those (the dispatcher records a batch's attempts once the whole batch is done).
 */

const SECRET = `whsec_${Buffer.from('a secret of thirty-two bytes!!!!').toString('base64')}`;
const QUEUED = 400;
const MAIN = resolve('src/cli/main.ts');

let dir: string;
let db: string;
let configFile: string;
let receiver: WebhookReceiver<string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'powerlens-kill-'));
  db = join(dir, 'p.duckdb');
  // Each delivery answered 40 ms after it arrived: with 8 at a time, a batch takes ~0.3 s.
  receiver = await startWebhookReceiver(SECRET, ({ id }) => id, 200, 40);
  const configText = [
    'playbooks:',
    '  bulk:',
    '    trigger: { on: entered_state, state: at_risk }',
    '    actions:',
    `      - webhook: { url: "${receiver.url}", secret_env: PL_KILL_SECRET, timeout_seconds: 1 }`,
    '',
  ].join('\n');
  configFile = join(dir, 'powerlens.yaml');
  writeFileSync(configFile, configText);
  const demo = await runCli([
    ...['demo', '--seed', '5', '--users', '150', '--days', '40'],
    ...['--db', db, '--data-dir', dir, '--json'],
  ]);
  expect(demo.code, demo.stderr).toBe(0);
  // Hundreds of occurrences recorded (their deliveries queued) as a run would, then let go of
  // the file: the CLI opens it alone.
  const engine = await DuckDbEngine.open({ path: db });
  const playbooks = parseConfigText(configText, configFile).playbooks;
  const occurrences: Occurrence[] = Array.from({ length: QUEUED }, (_, i) => ({
    occurrence_id: createHash('sha256').update(`bulk ${i}`).digest('hex'),
    project_id: 'default',
    playbook: 'bulk',
    trigger: 'entered_state',
    subject_type: 'user',
    subject_id: `u_bulk_${i}`,
    account_id: '',
    period_start: '2030-01-06',
    explanation: `u_bulk_${i} entered at_risk`,
    data: { state: 'at_risk' },
  }));
  const r = await recordOccurrences(engine, 'default', occurrences, playbooks, new Date());
  expect(r).toMatchObject({ recorded: QUEUED, queued: QUEUED });
  await engine.close();
}, 180_000);

afterAll(async () => {
  await receiver?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cliArgs = (args: string[]) => [
  '--import',
  'tsx',
  MAIN,
  'playbooks',
  ...args,
  '--db',
  db,
  '--config',
  configFile,
];
const env = { ...process.env, NO_COLOR: '1', PL_KILL_SECRET: SECRET };

const cli = (args: string[]) =>
  runCli(['playbooks', ...args, '--db', db, '--config', configFile], undefined, {
    PL_KILL_SECRET: SECRET,
  });

interface LoggedDelivery {
  delivery_id: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  attempt_log: {
    attempt: number;
    outcome: string;
    status_code: number | null;
    finished_at: string;
  }[];
}

async function log(): Promise<LoggedDelivery[]> {
  const r = await cli(['log', '--json', '--attempts', '--limit', '5000']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as LoggedDelivery[];
}

/** Starts `powerlens playbooks run` and SIGKILLs it once `after` deliveries have arrived. */
async function runAndKill(after: number): Promise<{ signal: NodeJS.Signals | null; at: number }> {
  const child: ChildProcess = spawn(process.execPath, cliArgs(['run', '--json']), {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<NodeJS.Signals | null>((done) =>
    child.on('exit', (_code, signal) => done(signal)),
  );
  const started = Date.now();
  let at = -1;
  while (Date.now() - started < 120_000) {
    if (child.exitCode !== null) break;
    if (receiver.received.length >= after) {
      at = receiver.received.length;
      child.kill('SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const signal = await exited;
  if (signal !== 'SIGKILL') throw new Error(`the run ended before the kill: ${stderr}`);
  return { signal, at };
}

describe('kill -9 of the dispatcher mid-send', () => {
  it('loses no delivery and sends again only those whose first attempt was cut short', async () => {
    const queuedAtStart = (await log()).filter((d) => d.status === 'queued');
    expect(queuedAtStart.length).toBe(QUEUED);

    // Past the first batch, in the middle of a later one.
    const kill = await runAndKill(BATCH + BATCH / 2);
    expect(kill.signal).toBe('SIGKILL');
    const atKill = new Set(receiver.received);
    expect(atKill.size).toBeGreaterThanOrEqual(BATCH + BATCH / 2);
    expect(atKill.size).toBeLessThan(QUEUED);

    // The file opens again after the kill (DuckDB replays its write-ahead log): the batches
    // recorded before the kill are sent, the rest queued.
    const afterKill = await log();
    const sentBeforeKill = afterKill.filter((d) => d.status === 'sent');
    expect(sentBeforeKill.length).toBeGreaterThanOrEqual(BATCH);
    for (const d of sentBeforeKill) expect(atKill.has(d.delivery_id)).toBe(true);

    // In flight at the kill: taken (their attempt counted) and not recorded. At most a batch,
    // leased until the whole batch could have been sent one round of 8 after another, each round
    // within the action's time limit (1 s), plus the margin.
    const inFlight = afterKill.filter((d) => d.status === 'queued' && d.attempts === 1);
    expect(inFlight.length).toBeGreaterThan(0);
    expect(inFlight.length).toBeLessThanOrEqual(BATCH);
    // The batch in flight was taken right after the last one was recorded (on the run's clock).
    const rounds = Math.ceil(BATCH / 8);
    const lastRecorded = Math.max(
      ...sentBeforeKill.flatMap((d) => d.attempt_log.map((a) => Date.parse(a.finished_at))),
    );
    for (const d of inFlight) {
      expect(d.attempt_log).toEqual([]);
      const lease = Date.parse(d.next_attempt_at ?? '') - lastRecorded;
      expect(lease).toBeGreaterThanOrEqual(rounds * 1000 + LEASE_MARGIN_MS - 100);
      expect(lease).toBeLessThan(rounds * 1000 + LEASE_MARGIN_MS + 5000);
    }
    const untouched = afterKill.filter((d) => d.status === 'queued' && d.attempts === 0);
    expect(untouched.length + inFlight.length + sentBeforeKill.length).toBe(QUEUED);

    // Run again until nothing is queued: the batch cut short waits for its lease to end.
    const runs: { recorded: { recorded: number }; dispatched: { sent: number } }[] = [];
    for (let i = 0; i < 10; i++) {
      const queued = (await log()).filter((d) => d.status === 'queued');
      if (queued.length === 0) break;
      const due = Math.max(...queued.map((d) => Date.parse(d.next_attempt_at ?? '')));
      const wait = due - Date.now();
      // Nothing due yet: wait for the lease of the batch cut short, not longer.
      if (queued.every((d) => Date.parse(d.next_attempt_at ?? '') > Date.now())) {
        await new Promise((r) => setTimeout(r, Math.min(wait + 500, 90_000)));
      }
      const run = await cli(['run', '--json']);
      expect(run.code, run.stderr).toBe(0);
      runs.push(JSON.parse(run.stdout));
    }
    const final = await log();
    expect(final.filter((d) => d.status !== 'sent')).toEqual([]);

    // Every delivery the outbox holds arrived, verified (the runs may have recorded new ones).
    expect(receiver.refused).toEqual([]);
    const ids = new Set(final.map((d) => d.delivery_id));
    expect(new Set(receiver.received)).toEqual(ids);
    for (const q of queuedAtStart) expect(ids.has(q.delivery_id)).toBe(true);

    // An id twice: only a delivery whose first attempt the kill cut short (no attempt 1 logged,
    // its second one sent), and at most the one batch in flight.
    const counts = new Map<string, number>();
    for (const id of receiver.received) counts.set(id, (counts.get(id) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    expect(twice.length).toBeLessThanOrEqual(BATCH);
    // Exactly those that had arrived when the kill came, but were not yet recorded sent.
    expect(twice.sort()).toEqual(
      inFlight
        .map((d) => d.delivery_id)
        .filter((id) => atKill.has(id))
        .sort(),
    );
    expect(twice.length).toBeGreaterThan(0);
    expect([...counts.values()].every((n) => n <= 2)).toBe(true);
    const byId = new Map(final.map((d) => [d.delivery_id, d]));
    for (const id of twice) {
      const d = byId.get(id) as LoggedDelivery;
      expect(atKill.has(id)).toBe(true);
      expect(d.attempt_log.map((a) => [a.attempt, a.outcome, a.status_code])).toEqual([
        [2, 'sent', 200],
      ]);
    }
    // Every other delivery: one attempt, sent, logged.
    for (const d of final) {
      if (twice.includes(d.delivery_id)) continue;
      const cut = d.attempt_log.length === 1 && d.attempt_log[0]?.attempt === 2;
      expect(
        cut || d.attempt_log.map((a) => [a.attempt, a.outcome]).join() === '1,sent',
        `${d.delivery_id}: ${JSON.stringify(d.attempt_log)}`,
      ).toBe(true);
    }
    expect(runs.length).toBeGreaterThan(0);
  }, 300_000);
});
