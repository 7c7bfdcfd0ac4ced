import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keptUnsubscribeKey } from '../../src/playbooks/unsubscribe-token.js';
import { Sessions } from '../../src/server/api/sessions.js';
import { type ApiServer, startApiServer } from '../helpers/api-server.js';
import { demoProject } from '../helpers/demo-project.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/*
 * POST /api/v1/playbooks/{name}/test sends its samples after the request's turn on the database,
 * not within it: a real DuckDB file with demo data, the server serve runs on 127.0.0.1, a real
 * HTTP receiver that holds its answer, and a real SMTP server (smtp-server) that is slow to take
 * a message. While a sample waits on its receiver, other requests are answered; and a sample
 * e-mail slower than the request's time limit still carries an unsubscribe link that works,
 * because the key it is signed with was kept before it went out.
 */

const SMTP_ENV = 'PL_TEST_ROUTE_SMTP';
const SECRET_ENV = 'PL_TEST_ROUTE_SECRET';
let db: TempDb;
let server: ApiServer;
let base = '';
let readKey = '';
let smtp: SMTPServer;
let receiver: Server;
const mails: string[] = [];
/** How long the SMTP server takes to accept a message's data. */
let dataDelayMs = 0;
/** The webhook receiver answers once this resolves. */
let hold: Promise<void> = Promise.resolve();
let hookReached: () => void = () => {};

beforeAll(async () => {
  db = await openTempDb();
  readKey = (await demoProject(db, 7)).read_key;
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () =>
        setTimeout(() => {
          mails.push(Buffer.concat(chunks).toString('utf8'));
          callback();
        }, dataDelayMs),
      );
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  process.env[SMTP_ENV] = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  process.env[SECRET_ENV] = `whsec_${randomBytes(32).toString('base64')}`;
  receiver = createServer((req, res) => {
    req.resume();
    hookReached();
    void hold.then(() => res.writeHead(200).end('ok'));
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const email = `{ to: user, from: cs@powerlens.test, subject: hi, text: hi, smtp_url_env: ${SMTP_ENV}, timeout_seconds: 10 }`;
  server = await startApiServer(
    db,
    [
      'project: acme',
      'api: { request_timeout_seconds: 2 }',
      'playbooks:',
      '  slow_hook:',
      '    trigger: { on: entered_state, state: at_risk }',
      '    actions:',
      `      - webhook: { url: "${hookUrl}", secret_env: ${SECRET_ENV}, timeout_seconds: 30 }`,
      '  mail_twice:',
      '    trigger: { on: entered_state, state: emerging }',
      '    actions:',
      `      - email: ${email}`,
      `      - email: ${email}`,
      '',
    ].join('\n'),
    new Sessions(),
    () => base,
  );
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await server?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await db?.cleanup();
});

const call = (method: string, path: string) =>
  fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${readKey}` } });

describe('POST /playbooks/{name}/test', () => {
  it('answers other requests while a sample waits on its receiver', async () => {
    let release: () => void = () => {};
    hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const reached = new Promise<void>((resolve) => {
      hookReached = resolve;
    });
    const test = call('POST', '/api/v1/playbooks/slow_hook/test');
    try {
      await reached;
      // Needs the database's turn: answered at once, not when the receiver lets go.
      const other = await Promise.race([
        call('GET', '/api/v1/playbooks/deliveries').then((r) => r.status),
        new Promise<string>((resolve) => setTimeout(() => resolve('still waiting'), 5000)),
      ]);
      expect(other).toBe(200);
    } finally {
      release();
    }
    const r = await test;
    expect(r.status).toBe(200);
    expect(((await r.json()) as { sends: unknown[] }).sends).toEqual([
      expect.objectContaining({ ok: true, status_code: 200 }),
    ]);
  });

  it('keeps the unsubscribe key before a sample slower than the time limit links to it', async () => {
    // Who the samples are about; give that user an address.
    const answer = await call('GET', '/api/v1/playbooks/mail_twice/preview');
    const preview = (await answer.json()) as { people: { subject_id: string }[] };
    expect(answer.status, JSON.stringify(preview)).toBe(200);
    const user = preview.people[0]?.subject_id as string;
    expect(user).toBeTruthy();
    const at = new Date().toISOString();
    await db.engine.insert('identifies', [
      {
        project_id: 'acme',
        message_id: 'i_test_route',
        timestamp: at,
        user_id: user,
        anonymous_id: null,
        traits: JSON.stringify({ email: 'first@acme.test' }),
        received_at: at,
        source: 'test',
      },
    ]);
    expect(await keptUnsubscribeKey(db.engine)).toBeNull();
    dataDelayMs = 2500; // each sample takes longer than the request's 2 s
    try {
      const r = await call('POST', '/api/v1/playbooks/mail_twice/test');
      const body = (await r.json()) as { sends: { ok: boolean }[] };
      expect(r.status, JSON.stringify(body)).toBe(200);
      expect(body.sends.map((s) => s.ok)).toEqual([true, true]);
    } finally {
      dataDelayMs = 0;
    }
    expect(mails).toHaveLength(2);
    expect(await keptUnsubscribeKey(db.engine)).not.toBeNull();
    // The link the first sample carries works: its key was kept.
    const unfolded = (mails[0] ?? '').replace(/\r?\n[ \t]+/g, ' ');
    const link = /^List-Unsubscribe: .*<(http[^>]+)>/im.exec(unfolded)?.[1] ?? '';
    expect(link).toContain('/api/v1/playbooks/unsubscribe?');
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
  }, 30_000);
});
