import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Playbook, PlaybookSchema } from '../../src/model/playbook.js';
import { sendEmail } from '../../src/playbooks/channels/email.js';
import { dispatchDue } from '../../src/playbooks/dispatcher.js';
import type { Occurrence } from '../../src/playbooks/occurrence.js';
import { deliveryLog, recordOccurrences } from '../../src/playbooks/outbox.js';
import { isSuppressed, suppress, unsubscribe } from '../../src/playbooks/suppressions.js';
import { unsubscribeKey, unsubscribeToken } from '../../src/playbooks/unsubscribe-token.js';
import {
  type ReceivedMail,
  type SmtpReceiver,
  startSmtpReceiver,
} from '../helpers/smtp-receiver.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/*
 * E-mail actions end to end: a real DuckDB file, identify and group traits in it, and a real SMTP
 * server (smtp-server) on 127.0.0.1 in this process collecting every message it accepts. Some
 * recipients are scripted to be refused with 451 (try later) or 550 (no such mailbox).
 */

const PROJECT = 'mailco';
/** Recipient -> the SMTP codes it is refused with, in turn (then accepted). */
const refusals = new Map<string, number[]>();
let smtp: SmtpReceiver;
let db: TempDb;

beforeAll(async () => {
  db = await openTempDb();
  smtp = await startSmtpReceiver({ refuse: (address) => refusals.get(address)?.shift() });
  const at = '2031-03-01T10:00:00Z';
  const identify = (user: string, traits: object) => ({
    project_id: PROJECT,
    message_id: `i_${user}`,
    timestamp: at,
    user_id: user,
    anonymous_id: null,
    traits: JSON.stringify(traits),
    received_at: at,
    source: 'test',
  });
  await db.engine.insert('identifies', [
    identify('ada', { email: 'ada@acme.test', name: 'Ada <Lovelace> & co' }),
    identify('grey', { email: 'grey@acme.test', name: 'Grey' }),
    identify('bounce', { email: 'bounce@acme.test', name: 'Bounce' }),
    identify('nomail', { name: 'No Mail' }),
  ]);
  await db.engine.insert('group_memberships', [
    {
      project_id: PROJECT,
      message_id: 'g_acme',
      timestamp: at,
      user_id: 'ada',
      account_id: 'acme',
      traits: JSON.stringify({ name: 'Acme', plan: 'Business', csm_email: 'bo@cs.test' }),
      received_at: at,
      source: 'test',
    },
  ]);
});

afterAll(async () => {
  await smtp.close();
  await db.cleanup();
});

const FROM = 'cs@powerlens.test';

const playbook = (to: unknown[]): Playbook =>
  PlaybookSchema.parse({
    trigger: { on: 'became_power_user' },
    actions: to.map((t) => ({
      email: {
        to: t,
        from: FROM,
        reply_to: 'help@powerlens.test',
        subject: '{{user.name}} became a power user ({{account.plan}})',
        text: 'Hi, {{user.name}} ({{user_id}}) of {{account_id}}: {{explanation}}. Score {{score}}. {{link}}',
        html: '<p>Hi <b>{{user.name}}</b>: {{explanation}}</p><p><a href="{{link}}">open</a></p>',
        smtp_url_env: 'SMTP_URL',
        timeout_seconds: 5,
      },
    })),
  });

function occurrence(
  playbookName: string,
  subject: string,
  account: string,
  period: string,
): Occurrence {
  return {
    occurrence_id: createHash('sha256')
      .update([PROJECT, playbookName, subject, period].join('\n'))
      .digest('hex'),
    project_id: PROJECT,
    playbook: playbookName,
    trigger: 'became_power_user',
    subject_type: 'user',
    subject_id: subject,
    account_id: account,
    period_start: period,
    explanation: `${subject} became a power user in the week of ${period}`,
    data: { score: 88, state: 'new', segments: ['advocate'] },
  };
}

const T0 = new Date();
const at = (ms: number) => new Date(T0.getTime() + ms);
const env = () => ({ SMTP_URL: smtp.url });
const base = 'https://powerlens.example.com';

/** The raw message with folded headers unfolded and quoted-printable soft breaks undone. */
function plain(raw: string): string {
  return raw
    .replace(/\r\n[ \t]+/g, ' ')
    .replace(/=\r?\n/g, '')
    .replace(/=3D/g, '=');
}

async function deliveries(playbookName: string) {
  return deliveryLog(db.engine, PROJECT, { playbook: playbookName, withAttempts: true });
}

describe('e-mail actions', () => {
  it('sends the rendered message to the user and to the account CSM, with both parts and the unsubscribe headers', async () => {
    const playbooks = { welcome: playbook(['user', { account_trait: 'csm_email' }]) };
    const r = await recordOccurrences(
      db.engine,
      PROJECT,
      [occurrence('welcome', 'ada', 'acme', '2031-03-02')],
      playbooks,
      T0,
      { baseUrl: base },
    );
    expect(r).toMatchObject({ recorded: 1, queued: 2 });
    const queued = await deliveries('welcome');
    expect(queued.map((d) => d.channel)).toEqual(['email', 'email']);
    const payloads = queued
      .map((d) => JSON.parse(d.payload))
      .sort((a, b) => a.to.localeCompare(b.to));
    expect(payloads.map((p) => p.to)).toEqual(['ada@acme.test', 'bo@cs.test']);
    expect(payloads[0]).toMatchObject({
      subject: 'Ada <Lovelace> & co became a power user (Business)',
      html: expect.stringContaining('<b>Ada &lt;Lovelace&gt; &amp; co</b>'),
    });

    const sent = await dispatchDue(db.engine, {
      projectId: PROJECT,
      playbooks,
      now: at(1000),
      env: env(),
      random: () => 0.5,
    });
    expect(sent).toMatchObject({ due: 2, sent: 2, dead: 0, retried: 0 });
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(['ada@acme.test', 'bo@cs.test']);
    const ada = smtp.received.find((m) => m.to[0] === 'ada@acme.test') as ReceivedMail;
    const raw = plain(ada.raw);
    expect(ada.from).toBe(FROM);
    expect(raw).toMatch(/^Subject: Ada <Lovelace> & co became a power user \(Business\)\r?$/m);
    expect(raw).toMatch(/^Reply-To: help@powerlens\.test\r?$/m);
    // The link signed for this project and address (test/playbooks/unsubscribe.test.ts follows it).
    const token = unsubscribeToken(await unsubscribeKey(db.engine), PROJECT, 'ada@acme.test');
    expect(raw).toContain(
      `List-Unsubscribe: <mailto:${FROM}?subject=unsubscribe>, <${base}/api/v1/playbooks/unsubscribe?project=${PROJECT}&address=ada%40acme.test&token=${token}>`,
    );
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(raw).toMatch(/^Message-ID: <msg_[0-9a-z]{26}@powerlens\.test>\r?$/m);
    expect(raw).toContain('Content-Type: multipart/alternative');
    expect(raw).toContain('Content-Type: text/plain');
    expect(raw).toContain('Content-Type: text/html');
    expect(raw).toContain('Hi, Ada <Lovelace> & co (ada) of acme: ada became a power user');
    expect(raw).toContain('Score 88.');
    expect(raw).toContain(`${base}/#/users/ada`);
    expect(raw).toContain('<b>Ada &lt;Lovelace&gt; &amp; co</b>');
    expect(raw).toContain(`<a href="${base}/#/users/ada">open</a>`);
    expect((await deliveries('welcome')).every((d) => d.status === 'sent')).toBe(true);
  });

  it('records a delivery with no address as dead with the reason, and sends nothing', async () => {
    const playbooks = { nomail: playbook(['user', { account_trait: 'csm_email' }]) };
    const before = smtp.received.length;
    await recordOccurrences(
      db.engine,
      PROJECT,
      [occurrence('nomail', 'nomail', '', '2031-03-02')],
      playbooks,
      T0,
    );
    const log = await deliveries('nomail');
    expect(log.map((d) => [d.status, d.last_error]).sort()).toEqual([
      ['dead', 'no recipient: account (none) has no csm_email trait'],
      ['dead', 'no recipient: user nomail has no email trait'],
    ]);
    const r = await dispatchDue(db.engine, {
      projectId: PROJECT,
      playbooks,
      now: at(2000),
      env: env(),
      random: () => 0.5,
    });
    expect(r.due).toBe(0);
    expect(smtp.received.length).toBe(before);
  });

  it('honours the suppression list: a later e-mail to a suppressed address is dead without being sent', async () => {
    const playbooks = { later: playbook(['user']) };
    expect(await isSuppressed(db.engine, PROJECT, 'ada@acme.test')).toBe(false);
    await unsubscribe(db.engine, PROJECT, ' ADA@acme.test ');
    await suppress(db.engine, PROJECT, 'ada@acme.test', 'complaint'); // again: no change
    expect(await isSuppressed(db.engine, PROJECT, 'Ada@Acme.test')).toBe(true);
    expect(await isSuppressed(db.engine, 'other', 'ada@acme.test')).toBe(false);
    const before = smtp.received.length;
    await recordOccurrences(
      db.engine,
      PROJECT,
      [occurrence('later', 'ada', 'acme', '2031-03-09')],
      playbooks,
      T0,
    );
    const r = await dispatchDue(db.engine, {
      projectId: PROJECT,
      playbooks,
      now: at(3000),
      env: env(),
      random: () => 0.5,
    });
    expect(r).toMatchObject({ due: 1, dead: 1, sent: 0 });
    expect(smtp.received.length).toBe(before);
    const [d] = await deliveries('later');
    expect(d?.status).toBe('dead');
    expect(d?.last_error).toMatch(/^suppressed/);
    expect(d?.attempt_log?.[0]).toMatchObject({ outcome: 'dead', status_code: null });
  });

  it('tries a 451 again later and gives up on a 550 at once', async () => {
    const playbooks = { smtp: playbook(['user']) };
    refusals.set('grey@acme.test', [451]);
    refusals.set('bounce@acme.test', [550]);
    await recordOccurrences(
      db.engine,
      PROJECT,
      [
        occurrence('smtp', 'bounce', '', '2031-03-02'),
        occurrence('smtp', 'grey', '', '2031-03-02'),
      ],
      playbooks,
      T0,
    );
    const first = await dispatchDue(db.engine, {
      projectId: PROJECT,
      playbooks,
      now: at(4000),
      env: env(),
      random: () => 0.5,
    });
    expect(first).toMatchObject({ due: 2, sent: 0, retried: 1, dead: 1 });
    const log = await deliveries('smtp');
    const bounce = log.find((d) => JSON.parse(d.payload).to === 'bounce@acme.test');
    const grey = log.find((d) => JSON.parse(d.payload).to === 'grey@acme.test');
    expect(bounce).toMatchObject({ status: 'dead' });
    expect(bounce?.last_error).toMatch(/^refused with SMTP 550/);
    expect(bounce?.attempt_log?.[0]).toMatchObject({ status_code: 550, outcome: 'dead' });
    expect(grey).toMatchObject({ status: 'queued', attempts: 1 });
    expect(grey?.last_error).toMatch(/^SMTP 451/);
    expect(grey?.attempt_log?.[0]).toMatchObject({ status_code: 451, outcome: 'retry' });
    expect(smtp.received.some((m) => m.to.includes('grey@acme.test'))).toBe(false);

    // Not due yet a second later; due after the backoff (30 s with equal jitter at 0.5: 22.5 s).
    const tooSoon = await dispatchDue(db.engine, {
      projectId: PROJECT,
      playbooks,
      now: at(5000),
      env: env(),
      random: () => 0.5,
    });
    expect(tooSoon.due).toBe(0);
    const later = await dispatchDue(db.engine, {
      projectId: PROJECT,
      playbooks,
      now: at(60_000),
      env: env(),
      random: () => 0.5,
    });
    expect(later).toMatchObject({ due: 1, sent: 1 });
    expect(smtp.received.filter((m) => m.to.includes('grey@acme.test'))).toHaveLength(1);
  });

  it('announces one-click (List-Unsubscribe-Post) only with an https link, for messages queued before the flag too', async () => {
    const action = playbook(['user']).actions[0]?.email as NonNullable<
      Playbook['actions'][0]['email']
    >;
    const https = `<mailto:${FROM}?subject=unsubscribe>, <${base}/api/v1/playbooks/unsubscribe?x=1>`;
    const http = `<mailto:${FROM}?subject=unsubscribe>, <http://127.0.0.1:9/api/v1/playbooks/unsubscribe?x=1>`;
    const cases = [
      // Queued now: the flag decides.
      { to: 'flag-yes@acme.test', list_unsubscribe: https, one_click: true, post: true },
      { to: 'flag-no@acme.test', list_unsubscribe: http, one_click: false, post: false },
      // Queued before the flag: an https link in the value decides.
      { to: 'old-https@acme.test', list_unsubscribe: https, post: true },
      { to: 'old-http@acme.test', list_unsubscribe: http, post: false },
      { to: 'old-mailto@acme.test', list_unsubscribe: `<mailto:${FROM}>`, post: false },
    ];
    for (const { post, ...c } of cases) {
      const payload = JSON.stringify({ from: FROM, subject: 's', text: 't', html: null, ...c });
      const r = await sendEmail({ id: `msg_${c.to.split('@')[0]}`, payload, action, env: env() });
      expect(r).toMatchObject({ kind: 'smtp', code: 250 });
      const raw = plain(smtp.received.find((m) => m.to[0] === c.to)?.raw ?? '');
      expect(raw).toContain(`List-Unsubscribe: ${c.list_unsubscribe}`);
      expect(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m.test(raw), c.to).toBe(post);
    }
  });

  it('makes a delivery dead when its SMTP URL variable is not set, naming the variable', async () => {
    const playbooks = { nourl: playbook(['user']) };
    await recordOccurrences(
      db.engine,
      PROJECT,
      [occurrence('nourl', 'grey', '', '2031-03-16')],
      playbooks,
      T0,
    );
    const r = await dispatchDue(db.engine, {
      projectId: PROJECT,
      playbooks,
      now: at(6000),
      env: {},
      random: () => 0.5,
    });
    expect(r.dead).toBe(1);
    const [d] = await deliveries('nourl');
    expect(d?.last_error).toBe('the environment variable SMTP_URL (smtp_url_env) is not set');
  });
});
