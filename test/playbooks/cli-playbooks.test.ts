import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/**
 * `powerlens playbooks` end to end on demo data: preview says who a playbook would reach, run
 * sends exactly them to a real receiver that verifies every signature with the Standard Webhooks
 * verifier, a second run sends nothing, the log shows each attempt.
 */
const SECRET = `whsec_${Buffer.from('a secret of thirty-two bytes!!!!').toString('base64')}`;

interface Received {
  id: string;
  playbook: string;
  subject: string;
  type: string;
  test: boolean;
}

let dir: string;
let receiver: WebhookReceiver<Received>;
let received: Received[];
let refused: string[];
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'powerlens-playbooks-'));
  receiver = await startWebhookReceiver(SECRET, ({ id, payload }) => ({
    id,
    playbook: payload.playbook,
    subject: payload.subject.id,
    type: payload.subject.type,
    test: payload.data.test === true,
  }));
  ({ received, refused, url } = receiver);
  writeFileSync(
    join(dir, 'powerlens.yaml'),
    [
      'playbooks:',
      '  warn_csm:',
      '    trigger: { on: entered_state, state: at_risk }',
      '    actions:',
      `      - webhook: { url: "${url}", secret_env: PL_TEST_SECRET }`,
      '  nurture:',
      '    trigger: { on: entered_state, state: emerging }',
      '    actions:',
      `      - webhook: { url: "${url}", secret_env: PL_TEST_SECRET }`,
      // A project alert no week of the demo reaches: it never fires, so `test` makes one up.
      '  mass_churn:',
      '    trigger: { on: lifecycle_flow, from: retained, to: lost, min_users: 100000 }',
      '    actions:',
      `      - webhook: { url: "${url}", secret_env: PL_TEST_SECRET }`,
      '',
    ].join('\n'),
  );
  const demo = await runCli([
    ...['demo', '--seed', '11', '--users', '600', '--days', '70'],
    ...['--db', join(dir, 'p.duckdb'), '--data-dir', dir, '--json'],
  ]);
  expect(demo.code, demo.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[]) =>
  runCli(
    ['playbooks', ...args, '--db', join(dir, 'p.duckdb'), '--config', join(dir, 'powerlens.yaml')],
    undefined,
    { PL_TEST_SECRET: SECRET },
  );

describe('powerlens playbooks', () => {
  it('previews, sends exactly those people once, signed, and logs each attempt', async () => {
    const list = await cli(['list', '--json']);
    expect(JSON.parse(list.stdout).map((p: { name: string }) => p.name)).toEqual([
      'warn_csm',
      'nurture',
      'mass_churn',
    ]);

    const who = new Set<string>();
    for (const name of ['warn_csm', 'nurture']) {
      const preview = await cli(['preview', name, '--json']);
      expect(preview.code, preview.stderr).toBe(0);
      const people = JSON.parse(preview.stdout) as {
        subject_id: string;
        already_recorded: boolean;
      }[];
      for (const p of people) {
        expect(p.already_recorded).toBe(false);
        who.add(`${name} ${p.subject_id}`);
      }
    }
    // The demo plants emerging users, so the week compared has some.
    expect(who.size).toBeGreaterThan(0);

    const run = await cli(['run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.recorded.recorded).toBe(who.size);
    expect(result.dispatched).toMatchObject({ sent: who.size, dead: 0, retried: 0 });
    expect(refused).toEqual([]);
    expect(new Set(received.map((r) => `${r.playbook} ${r.subject}`))).toEqual(who);
    expect(new Set(received.map((r) => r.id)).size).toBe(received.length);

    // The same snapshots again: nothing new recorded, nothing sent.
    const again = JSON.parse((await cli(['run', '--json'])).stdout);
    expect(again.recorded).toMatchObject({ recorded: 0, already: who.size });
    expect(again.dispatched.due).toBe(0);
    expect(received).toHaveLength(who.size);

    const preview = JSON.parse((await cli(['preview', 'nurture', '--json'])).stdout) as {
      already_recorded: boolean;
    }[];
    expect(preview.every((p) => p.already_recorded)).toBe(true);

    const log = JSON.parse((await cli(['log', '--json', '--limit', '1000'])).stdout) as {
      delivery_id: string;
      status: string;
      attempt_log: { status_code: number; outcome: string }[];
    }[];
    expect(log).toHaveLength(who.size);
    expect(new Set(log.map((d) => d.delivery_id))).toEqual(new Set(received.map((r) => r.id)));
    for (const d of log) {
      expect(d.status).toBe('sent');
      expect(d.attempt_log.map((a) => [a.outcome, a.status_code])).toEqual([['sent', 200]]);
    }
  }, 180_000);

  it('tests a playbook that reaches no one with a made-up subject of its kind, outside the outbox', async () => {
    const before = received.length;
    const test = await cli(['test', 'mass_churn', '--json']);
    expect(test.code, test.stderr).toBe(0);
    const [send] = JSON.parse(test.stdout) as {
      sample: boolean;
      ok: boolean;
      subject_id: string;
    }[];
    expect(send).toMatchObject({ sample: true, ok: true, subject_id: 'default' });
    expect(received.slice(before)).toEqual([
      expect.objectContaining({ playbook: 'mass_churn', type: 'project', test: true }),
    ]);
    // Nothing was recorded or queued: the log has no delivery of it.
    const log = JSON.parse((await cli(['log', '--playbook', 'mass_churn', '--json'])).stdout);
    expect(log).toEqual([]);
  }, 60_000);

  it('says what to do about an unknown playbook or delivery', async () => {
    const preview = await cli(['preview', 'nurtur']);
    expect(preview.code).not.toBe(0);
    expect(preview.stderr).toContain(
      'no playbook "nurtur": the config has "warn_csm", "nurture", "mass_churn".',
    );
    const retry = await cli(['retry', 'msg_nope']);
    expect(retry.code).not.toBe(0);
    expect(retry.stderr).toContain(
      'no dead delivery msg_nope in project default: powerlens playbooks log --status dead lists them.',
    );
  }, 60_000);
});
