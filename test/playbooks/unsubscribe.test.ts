import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Playbook, PlaybookSchema } from '../../src/model/playbook.js';
import { dispatchDue } from '../../src/playbooks/dispatcher.js';
import type { Occurrence } from '../../src/playbooks/occurrence.js';
import { deliveryLog, recordOccurrences } from '../../src/playbooks/outbox.js';
import { isSuppressed } from '../../src/playbooks/suppressions.js';
import { Sessions } from '../../src/server/api/sessions.js';
import { type ApiServer, startApiServer } from '../helpers/api-server.js';
import { type SmtpReceiver, startSmtpReceiver } from '../helpers/smtp-receiver.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/*
 * The one-click unsubscribe link end to end: a real DuckDB file, the server serve runs on
 * 127.0.0.1, and a real SMTP server (smtp-server) collecting what the dispatcher sends. The link
 * is read from the List-Unsubscribe header of the mail as received, then fetched and posted as a
 * mail client would: a GET (what scanners do) unsubscribes nobody, the one-click POST does, the
 * next e-mail to the address is not sent, and a link altered in any part is refused.
 */

const PROJECT = 'mailco';
const FROM = 'cs@powerlens.test';
let smtp: SmtpReceiver;
let db: TempDb;
let server: ApiServer;
let base = '';

beforeAll(async () => {
  db = await openTempDb();
  smtp = await startSmtpReceiver();
  const at = '2031-03-01T10:00:00Z';
  await db.engine.insert(
    'identifies',
    ['ada', 'bob'].map((user) => ({
      project_id: PROJECT,
      message_id: `i_${user}`,
      timestamp: at,
      user_id: user,
      anonymous_id: null,
      traits: JSON.stringify({ email: `${user === 'ada' ? 'Ada' : 'bob'}@acme.test` }),
      received_at: at,
      source: 'test',
    })),
  );
  server = await startApiServer(db, `project: ${PROJECT}\n`, new Sessions());
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await server?.close();
  await smtp.close();
  await db?.cleanup();
});

const playbooks: Record<string, Playbook> = {
  hello: PlaybookSchema.parse({
    trigger: { on: 'became_power_user' },
    actions: [
      {
        email: {
          to: 'user',
          from: FROM,
          subject: 'hello {{user_id}}',
          text: 'Hi {{user_id}}',
          smtp_url_env: 'SMTP_URL',
          timeout_seconds: 5,
        },
      },
    ],
  }),
};

function occurrence(subject: string, period: string): Occurrence {
  return {
    occurrence_id: createHash('sha256')
      .update([PROJECT, 'hello', subject, period].join('\n'))
      .digest('hex'),
    project_id: PROJECT,
    playbook: 'hello',
    trigger: 'became_power_user',
    subject_type: 'user',
    subject_id: subject,
    account_id: '',
    period_start: period,
    explanation: `${subject} became a power user`,
    data: {},
  };
}

let clock = Date.now();
/** Records the occurrences with the server's address as the base, and sends what is due. */
async function sendTo(subjects: string[], period: string) {
  clock += 1000;
  await recordOccurrences(
    db.engine,
    PROJECT,
    subjects.map((s) => occurrence(s, period)),
    playbooks,
    new Date(clock),
    { baseUrl: base },
  );
  return dispatchDue(db.engine, {
    projectId: PROJECT,
    playbooks,
    now: new Date(clock),
    env: { SMTP_URL: smtp.url },
    random: () => 0.5,
  });
}

/** The http link of the List-Unsubscribe header of the mail to `to`, as received. */
function linkIn(to: string): URL {
  const mail = smtp.received.find((m) => m.to.includes(to));
  if (!mail) throw new Error(`no mail to ${to}`);
  const headers = mail.raw.split(/\r?\n\r?\n/)[0]?.replace(/\r?\n[ \t]+/g, ' ') ?? '';
  const value = /^List-Unsubscribe: (.*)$/im.exec(headers)?.[1] ?? '';
  const http = /<(http[^>]+)>/.exec(value)?.[1];
  if (!http) throw new Error(`no http link in List-Unsubscribe: ${value}`);
  return new URL(http);
}

const oneClick = (url: URL | string, body = 'List-Unsubscribe=One-Click') =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });

describe('one-click unsubscribe', () => {
  it('puts a signed link in the mail that a GET does not act on and the one-click POST does', async () => {
    const first = await sendTo(['ada', 'bob'], '2031-03-02');
    expect(first).toMatchObject({ due: 2, sent: 2 });
    const link = linkIn('Ada@acme.test');
    expect(`${link.origin}${link.pathname}`).toBe(`${base}/api/v1/playbooks/unsubscribe`);
    expect(link.searchParams.get('project')).toBe(PROJECT);
    expect(link.searchParams.get('address')).toBe('Ada@acme.test');
    expect(link.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The link is plain http (loopback): RFC 8058 lets only an https link be announced as
    // one-click, so the mail has no List-Unsubscribe-Post (the link opens the confirm page).
    const ada = smtp.received.find((m) => m.to.includes('Ada@acme.test'))?.raw ?? '';
    expect(ada).toMatch(/^List-Unsubscribe: /m);
    expect(ada).not.toMatch(/^List-Unsubscribe-Post:/im);
    // Each address its own token.
    expect(linkIn('bob@acme.test').searchParams.get('token')).not.toBe(
      link.searchParams.get('token'),
    );

    // What a scanner does: no key needed, a page with a button, nobody unsubscribed.
    for (let i = 0; i < 2; i++) {
      const page = await fetch(link);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      const html = await page.text();
      expect(html).toContain('<form method="post"');
      expect(html).toContain('name="List-Unsubscribe" value="One-Click"');
      expect(html).toContain('Ada@acme.test');
    }
    expect(await isSuppressed(db.engine, PROJECT, 'ada@acme.test')).toBe(false);

    const post = await oneClick(link);
    expect(post.status).toBe(200);
    expect(await post.text()).toContain('gets no more e-mail');
    expect(await isSuppressed(db.engine, PROJECT, 'ada@acme.test')).toBe(true);
    expect(await isSuppressed(db.engine, PROJECT, 'bob@acme.test')).toBe(false);
    // Again: still 200, nothing changes.
    expect((await oneClick(link)).status).toBe(200);

    // The next e-mail to ada is not sent; bob's is.
    const before = smtp.received.length;
    const next = await sendTo(['ada', 'bob'], '2031-03-09');
    expect(next).toMatchObject({ due: 2, sent: 1, dead: 1 });
    expect(smtp.received.slice(before).map((m) => m.to)).toEqual([['bob@acme.test']]);
    const log = await deliveryLog(db.engine, PROJECT, { playbook: 'hello' });
    const dead = log.filter((d) => d.status === 'dead');
    expect(dead.map((d) => JSON.parse(d.payload).to)).toEqual(['Ada@acme.test']);
    expect(dead[0]?.last_error).toMatch(/^suppressed/);
  });

  it('refuses a link altered in any part (403) or cut short (400), and unsubscribes nobody', async () => {
    const good = linkIn('bob@acme.test');
    const token = good.searchParams.get('token') as string;
    const altered = (change: Record<string, string | null>) => {
      const u = new URL(good);
      for (const [k, v] of Object.entries(change)) {
        if (v === null) u.searchParams.delete(k);
        else u.searchParams.set(k, v);
      }
      return u;
    };
    const forged = [
      altered({ address: 'carol@acme.test' }),
      altered({ project: 'other' }),
      altered({ token: `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}` }),
      altered({ token: 'x' }),
      altered({ token: `${token}A` }),
    ];
    for (const url of forged) {
      for (const r of [await fetch(url), await oneClick(url)]) {
        expect({ url: String(url), status: r.status }).toEqual({ url: String(url), status: 403 });
        expect(await r.text()).toContain('Link not valid');
      }
    }
    for (const part of ['token', 'address', 'project']) {
      const url = altered({ [part]: null });
      const r = await oneClick(url);
      expect(r.status).toBe(400);
      expect(await r.text()).toContain(`lacks ${part}`);
    }
    // The right link without the one-click body (a POST some prefetcher might make): refused.
    for (const init of [
      { method: 'POST' },
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
    ]) {
      const r = await fetch(good, init);
      expect(r.status).toBe(400);
    }
    expect((await oneClick(good, 'List-Unsubscribe=Maybe')).status).toBe(400);
    expect(await isSuppressed(db.engine, PROJECT, 'bob@acme.test')).toBe(false);
    expect(await isSuppressed(db.engine, PROJECT, 'carol@acme.test')).toBe(false);
    expect(await isSuppressed(db.engine, 'other', 'bob@acme.test')).toBe(false);
  });

  it('takes the one-click form as multipart/form-data too (RFC 8058 allows both)', async () => {
    const link = linkIn('bob@acme.test');
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    const r = await fetch(link, { method: 'POST', body: form });
    expect(r.status).toBe(200);
    expect(await isSuppressed(db.engine, PROJECT, 'bob@acme.test')).toBe(true);
  });

  it("checks a link without the database's turn once the key is read; only the one-click POST waits for it", async () => {
    const good = linkIn('bob@acme.test');
    const forged = new URL(good);
    forged.searchParams.set('token', 'A'.repeat(43));
    expect((await fetch(good)).status).toBe(200); // the key is read (and kept in memory)
    // Another request holds the engine's turn (a long API request, a run recording a batch).
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const holding = db.engine.transaction(() => held);
    const soon = <T>(p: Promise<T>) =>
      Promise.race([
        p,
        new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 3000)),
      ]);
    try {
      expect(await soon(fetch(forged).then((r) => r.status))).toBe(403);
      expect(await soon(oneClick(forged).then((r) => r.status))).toBe(403);
      expect(await soon(fetch(good).then((r) => r.status))).toBe(200);
      // The valid one-click POST suppresses: it waits for the turn, then answers.
      const post = oneClick(good);
      expect(await soon(post.then((r) => r.status))).toBe('still waiting');
      release();
      expect((await post).status).toBe(200);
    } finally {
      release();
      await holding;
    }
  });

  it('never answers 5xx to odd input, and other playbook routes still want a key', async () => {
    const odd = ['', '%00', '%ZZ', 'x'.repeat(3000), '__proto__', '<script>'];
    for (const v of odd) {
      for (const q of [
        `project=${v}&address=${v}&token=${v}`,
        `project=${v}`,
        `token=${v}&token=${v}`,
      ]) {
        const url = `${base}/api/v1/playbooks/unsubscribe?${q}`;
        for (const r of [await fetch(url), await oneClick(url)]) {
          expect(r.status, url.slice(0, 200)).toBeLessThan(500);
          expect(r.status).toBeGreaterThanOrEqual(400);
          expect(await r.text()).not.toContain('<script>');
        }
      }
    }
    expect((await fetch(`${base}/api/v1/playbooks`)).status).toBe(401);
    expect(
      (await fetch(`${base}/api/v1/playbooks/deliveries?x=/api/v1/playbooks/unsubscribe`)).status,
    ).toBe(401);
  });
});
