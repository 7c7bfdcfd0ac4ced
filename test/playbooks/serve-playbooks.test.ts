import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { startServe } from '../helpers/serve-child.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/**
 * `powerlens serve` runs the playbooks after its rollup refreshes: the first refresh sends what
 * fired (exactly who `playbooks preview` names, each once, signed), later refreshes send nothing
 * new, and what was sent is in the log after serve stops.
 */
const SECRET = `whsec_${Buffer.from('another secret, thirty-two bytes').toString('base64')}`;

let dir: string;
let receiver: WebhookReceiver<{ id: string; subject: string; link: string | null }>;
let received: { id: string; subject: string; link: string | null }[];
let serve: ChildProcess | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'powerlens-serve-playbooks-'));
  receiver = await startWebhookReceiver(
    SECRET,
    ({ id, payload }) => ({ id, subject: payload.subject.id, link: payload.link }),
    204,
  );
  received = receiver.received;
  const url = receiver.url;
  writeFileSync(
    join(dir, 'powerlens.yaml'),
    [
      'playbooks:',
      '  nurture:',
      '    trigger: { on: entered_state, state: emerging }',
      '    actions:',
      `      - webhook: { url: "${url}", secret_env: PL_TEST_SECRET }`,
      '',
    ].join('\n'),
  );
  const demo = await runCli([
    ...['demo', '--seed', '5', '--users', '500', '--days', '70'],
    ...['--db', join(dir, 'p.duckdb'), '--data-dir', dir, '--json'],
  ]);
  expect(demo.code, demo.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  serve?.kill('SIGKILL');
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

const args = (...more: string[]) => [
  ...more,
  '--db',
  join(dir, 'p.duckdb'),
  '--config',
  join(dir, 'powerlens.yaml'),
];
const env = { PL_TEST_SECRET: SECRET, POWERLENS_BASE_URL: 'https://powerlens.example' };

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
}

describe('serve runs the playbooks', () => {
  it('after its first refresh sends who the preview names, once, and nothing on later ones', async () => {
    const preview = await runCli(args('playbooks', 'preview', 'nurture', '--json'), undefined, env);
    expect(preview.code, preview.stderr).toBe(0);
    const expected = (JSON.parse(preview.stdout) as { subject_id: string }[]).map(
      (p) => p.subject_id,
    );
    expect(expected.length).toBeGreaterThan(0);

    const started = await startServe(args('--rollup-every', '1'), env);
    serve = started.child;
    await until(() => received.length >= expected.length, 90_000);
    expect(received.map((r) => r.subject).sort()).toEqual([...expected].sort());
    expect(new Set(received.map((r) => r.id)).size).toBe(received.length);
    expect(received[0]?.link).toMatch(/^https:\/\/powerlens\.example\/#\/users\//);
    // Several more refreshes: nothing new is sent.
    await new Promise((r) => setTimeout(r, 4000));
    expect(received).toHaveLength(expected.length);
    expect(started.output()).toContain(`playbooks: ${expected.length} new occurrences`);

    serve.kill('SIGTERM');
    await new Promise((done) => serve?.once('exit', done));
    serve = undefined;
    const log = await runCli(
      args('playbooks', 'log', '--status', 'sent', '--json'),
      undefined,
      env,
    );
    expect((JSON.parse(log.stdout) as unknown[]).length).toBe(expected.length);
  }, 180_000);
});
