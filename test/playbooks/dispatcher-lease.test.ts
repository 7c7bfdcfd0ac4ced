import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Playbook, PlaybookSchema } from '../../src/model/playbook.js';
import { sendEmail } from '../../src/playbooks/channels/email.js';
import { dispatchDue, LEASE_MARGIN_MS, leaseMs } from '../../src/playbooks/dispatcher.js';
import type { Occurrence } from '../../src/playbooks/occurrence.js';
import { deliveryLog, recordOccurrences } from '../../src/playbooks/outbox.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/*
 * The lease a dispatcher takes on a batch must outlast the whole batch: a real DuckDB file, a
 * real HTTP receiver and a real SMTP server (smtp-server) on 127.0.0.1. A batch mixing a fast
 * webhook and a slow e-mail is held mid-send while a second dispatcher runs: it must take
 * nothing, however far past the webhook's own time limit it runs. And an SMTP server answering
 * slowly but steadily cannot hold one e-mail send past its timeout_seconds.
 */

const PROJECT = 'leaseco';
let db: TempDb;
let smtp: SMTPServer;
let smtpUrl = '';
let receiver: Server;
let hookUrl = '';
const hooks: string[] = [];
const mails: string[] = [];
/** Set by a test: each SMTP step (MAIL, RCPT, end of DATA) waits this long before answering. */
let stepDelayMs = 0;
/** Set by a test: the end of DATA waits for this before it is answered. */
let hold: Promise<void> | null = null;
/** Resolved when the SMTP server has the message's data (and is holding it). */
let dataReached: () => void = () => {};

const later = (ms: number, callback: () => void) => setTimeout(callback, ms);

beforeAll(async () => {
  db = await openTempDb();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onMailFrom: (_a, _s, callback) => later(stepDelayMs, callback),
    onRcptTo: (_a, _s, callback) => later(stepDelayMs, callback),
    onData(stream, session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        dataReached();
        const answer = () => {
          mails.push(session.envelope.rcptTo.map((r) => r.address).join(','));
          callback();
        };
        if (hold) void hold.then(answer);
        else later(stepDelayMs, answer);
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  receiver = createServer((req, res) => {
    hooks.push(String(req.headers['webhook-id']));
    req.resume();
    req.on('end', () => res.writeHead(200).end('ok'));
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  await db.engine.insert('identifies', [
    {
      project_id: PROJECT,
      message_id: 'i_ada',
      timestamp: '2031-03-01T10:00:00Z',
      user_id: 'ada',
      anonymous_id: null,
      traits: JSON.stringify({ email: 'ada@acme.test' }),
      received_at: '2031-03-01T10:00:00Z',
      source: 'test',
    },
  ]);
});

afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await db.cleanup();
});

const env = () => ({
  SMTP_URL: smtpUrl,
  HOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
});

const email = (timeout: number) => ({
  email: {
    to: 'user',
    from: 'cs@powerlens.test',
    subject: 'hello',
    text: 'hi',
    smtp_url_env: 'SMTP_URL',
    timeout_seconds: timeout,
  },
});

function occurrence(playbook: string): Occurrence {
  return {
    occurrence_id: createHash('sha256').update([PROJECT, playbook, 'ada'].join('\n')).digest('hex'),
    project_id: PROJECT,
    playbook,
    trigger: 'became_power_user',
    subject_type: 'user',
    subject_id: 'ada',
    account_id: '',
    period_start: '2031-03-02',
    explanation: 'ada became a power user',
    data: {},
  };
}

describe('the dispatcher lease', () => {
  it('is the batch largest time limit per round, plus the wait for the turn, plus a margin', () => {
    expect(leaseMs([2, 20], 1, 120_000)).toBe(20_000 + 120_000 + LEASE_MARGIN_MS);
    expect(leaseMs([2, 20, 10], 7, 0)).toBe(7 * 20_000 + LEASE_MARGIN_MS);
    expect(leaseMs([], 1, 5_000)).toBe(5_000 + LEASE_MARGIN_MS);
  });

  it('keeps a second dispatcher off a fast webhook while its batch waits for a slow e-mail', async () => {
    const playbooks: Record<string, Playbook> = {
      mixed: PlaybookSchema.parse({
        trigger: { on: 'became_power_user' },
        actions: [
          { webhook: { url: hookUrl, secret_env: 'HOOK_SECRET', timeout_seconds: 2 } },
          email(20),
        ],
      }),
    };
    const t0 = new Date();
    await recordOccurrences(db.engine, PROJECT, [occurrence('mixed')], playbooks, t0);
    let release: () => void = () => {};
    hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const reached = new Promise<void>((resolve) => {
      dataReached = resolve;
    });
    const e = env();
    const first = dispatchDue(db.engine, {
      projectId: PROJECT,
      playbooks,
      now: t0,
      env: e,
      random: () => 0.5,
      turnWaitMs: 30_000,
    });
    try {
      await reached;
      expect(hooks).toHaveLength(1);
      // Past the webhook's own limit and margin (2 s + 20 s), within the batch's (20 + 30 + 20 s).
      for (const s of [45, 65]) {
        const second = await dispatchDue(db.engine, {
          projectId: PROJECT,
          playbooks,
          now: new Date(t0.getTime() + s * 1000),
          env: e,
          random: () => 0.5,
          turnWaitMs: 30_000,
        });
        expect(second, `${s} s on`).toMatchObject({ due: 0, sent: 0 });
      }
      expect(hooks).toHaveLength(1);
    } finally {
      release();
      hold = null;
    }
    expect(await first).toMatchObject({ due: 2, sent: 2, skipped: 0 });
    expect(hooks).toHaveLength(1);
    expect(mails).toEqual(['ada@acme.test']);
    const log = await deliveryLog(db.engine, PROJECT, { playbook: 'mixed' });
    expect(log.map((d) => d.status)).toEqual(['sent', 'sent']);
  });

  it('cuts one e-mail send off at timeout_seconds even when the server answers every step in time', async () => {
    stepDelayMs = 400; // each step within the 0.5 s limit nodemailer checks; all of them far past it
    try {
      const before = mails.length;
      const started = performance.now();
      const r = await sendEmail({
        id: 'msg_slow',
        payload: JSON.stringify({
          to: 'slow@acme.test',
          from: 'cs@powerlens.test',
          subject: 's',
          text: 't',
          html: null,
          list_unsubscribe: '<mailto:cs@powerlens.test>',
        }),
        action: PlaybookSchema.parse({
          trigger: { on: 'became_power_user' },
          actions: [email(0.5)],
        }).actions[0]?.email as NonNullable<Playbook['actions'][0]['email']>,
        env: env(),
      });
      const took = performance.now() - started;
      expect(r).toMatchObject({ kind: 'network', timeout: true });
      expect(r.kind === 'network' && r.error).toMatch(/within 0\.5 s \(timeout_seconds\)/);
      expect(took).toBeLessThan(1000);
      // The connection was closed: the message never reaches the server.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(mails.length).toBe(before);
    } finally {
      stepDelayMs = 0;
    }
  });
});
