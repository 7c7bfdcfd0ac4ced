import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Playbook, PlaybookSchema } from '../../src/model/playbook.js';
import { dispatchDue } from '../../src/playbooks/dispatcher.js';
import type { Occurrence } from '../../src/playbooks/occurrence.js';
import {
  deliveryId,
  deliveryLog,
  recordOccurrences,
  retryDeadDelivery,
} from '../../src/playbooks/outbox.js';
import { sampleOccurrence, webhookPlaybook } from '../helpers/outbox-fixture.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/*
 * The dispatcher end to end, on a real DuckDB file and a real HTTP receiver on 127.0.0.1 that checks
 * every request with the Standard Webhooks reference verifier. Time is driven by the `now` handed
 * to the outbox and the dispatcher; the signatures carry the real clock (the verifier checks it).
 */

const secret = () => `whsec_${randomBytes(24).toString('base64')}`;
const SECRET = secret();
const OLD_SECRET = secret();

interface Received {
  path: string;
  id: string;
  timestamp: number;
  body: string;
  /** Which of the secrets it knows the verifier accepted the request with. */
  verifiedWith: string[];
}

/** Each path answers in turn with the statuses it is given; then 200. */
const script = new Map<string, (number | 'slow' | { status: number; retryAfter: string })[]>();
const received: Received[] = [];
let server: Server;
let base = '';
let db: TempDb;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  db = await openTempDb();
  server = createServer(async (req, res) => {
    const body = await readBody(req);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const verifiedWith: string[] = [];
    for (const [name, s] of [
      ['current', SECRET],
      ['old', OLD_SECRET],
    ] as const) {
      try {
        new Webhook(s).verify(body, headers);
        verifiedWith.push(name);
      } catch {
        // not signed with this one
      }
    }
    const path = req.url ?? '';
    received.push({
      path,
      id: headers['webhook-id'] ?? '',
      timestamp: Number(headers['webhook-timestamp']),
      body,
      verifiedWith,
    });
    const next = script.get(path)?.shift() ?? 200;
    if (next === 'slow') {
      setTimeout(() => {
        if (!res.destroyed) res.end();
      }, 1500);
      return;
    }
    if (typeof next === 'number') {
      res.statusCode = next;
    } else {
      res.statusCode = next.status;
      res.setHeader('retry-after', next.retryAfter);
    }
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await db.cleanup();
});

const playbook = (
  paths: string[],
  extra: { secret_env?: string; timeout_seconds?: number; limits?: object } = {},
) => webhookPlaybook(base, paths, extra);
const occurrence = sampleOccurrence;

const T0 = new Date();
const at = (ms: number) => new Date(T0.getTime() + ms);
const ENV = { HOOK_SECRET: SECRET };
const sentTo = (path: string) => received.filter((r) => r.path === path);

/** Dispatches until nothing is queued, each run at the time the next delivery is due. */
async function drain(
  project: string,
  playbooks: Record<string, Playbook>,
  env: Record<string, string> = ENV,
): Promise<number> {
  let now = T0;
  for (let run = 1; run <= 20; run++) {
    await dispatchDue(db.engine, { projectId: project, playbooks, now, env, random: () => 0 });
    const queued = await deliveryLog(db.engine, project, { status: 'queued' });
    if (queued.length === 0) return run;
    const next = Math.min(...queued.map((q) => Date.parse(q.next_attempt_at ?? '')));
    now = new Date(Math.max(next, now.getTime()));
  }
  throw new Error('still queued after 20 runs');
}

describe('dispatchDue', () => {
  it('sends signed webhooks, retries with the same webhook-id, and gives up on a 400', async () => {
    const P = 'p_send';
    script.set('/flaky', [500, 500]);
    script.set('/busy', [{ status: 429, retryAfter: '600' }]);
    script.set('/slow', ['slow']);
    script.set('/bad', [400]);
    const books = {
      flaky: playbook(['/flaky']),
      busy: playbook(['/busy']),
      slow: playbook(['/slow'], { timeout_seconds: 0.2 }),
      bad: playbook(['/bad']),
      fine: playbook(['/fine']),
    };
    const occs = Object.keys(books).map((name) => occurrence(P, name, `user/${name}`));
    await recordOccurrences(db.engine, P, occs, books, T0, { baseUrl: 'https://lens.example' });

    const first = await dispatchDue(db.engine, {
      projectId: P,
      playbooks: books,
      now: T0,
      env: ENV,
      random: () => 0,
    });
    expect(first).toEqual({ due: 5, sent: 1, retried: 3, dead: 1, skipped: 0 });

    // The 429 asked for 600 s, far more than the first backoff (15..30 s).
    const busy = (await deliveryLog(db.engine, P, { playbook: 'busy', withAttempts: true }))[0];
    const busyAttempt = busy?.attempt_log?.[0];
    expect(busyAttempt).toMatchObject({ attempt: 1, status_code: 429, outcome: 'retry' });
    const wait =
      Date.parse(busy?.next_attempt_at ?? '') - Date.parse(busyAttempt?.finished_at ?? '');
    expect(wait).toBe(600_000);
    const early = await dispatchDue(db.engine, {
      projectId: P,
      playbooks: books,
      now: at(590_000),
      env: ENV,
      random: () => 0,
    });
    // flaky's second attempt (500 again) and slow's (sent), not busy's.
    expect(early).toEqual({ due: 2, sent: 1, retried: 1, dead: 0, skipped: 0 });
    expect(sentTo('/busy')).toHaveLength(1);

    await drain(P, books);

    // Every request verified with the specification's own verifier.
    const mine = received.filter((r) => occs.some((o) => r.body.includes(o.occurrence_id)));
    expect(mine.length).toBe(3 + 2 + 2 + 1 + 1);
    for (const r of mine) expect(r.verifiedWith).toEqual(['current']);
    for (const r of mine) expect(Math.abs(r.timestamp - Date.now() / 1000)).toBeLessThan(60);

    // Retries carry the same webhook-id: the delivery id fixed when queued.
    for (const [path, n] of [
      ['/flaky', 3],
      ['/busy', 2],
      ['/slow', 2],
      ['/bad', 1],
      ['/fine', 1],
    ] as const) {
      const reqs = sentTo(path);
      expect(reqs, path).toHaveLength(n);
      const name = path.slice(1);
      const occ = occs.find((o) => o.playbook === name) as Occurrence;
      for (const r of reqs) expect(r.id).toBe(deliveryId(occ.occurrence_id, 0));
      // Every attempt sends the same bytes.
      expect(new Set(reqs.map((r) => r.body)).size).toBe(1);
      expect(JSON.parse(reqs[0]?.body ?? '').link).toBe(
        `https://lens.example/#/users/${encodeURIComponent(`user/${name}`)}`,
      );
    }

    const log = await deliveryLog(db.engine, P, { withAttempts: true });
    const byBook = Object.fromEntries(log.map((r) => [r.playbook, r]));
    expect(byBook.flaky).toMatchObject({ status: 'sent', attempts: 3, next_attempt_at: null });
    expect(byBook.flaky?.attempt_log?.map((a) => [a.attempt, a.status_code, a.outcome])).toEqual([
      [1, 500, 'retry'],
      [2, 500, 'retry'],
      [3, 200, 'sent'],
    ]);
    expect(byBook.slow?.attempt_log?.[0]).toMatchObject({
      status_code: null,
      outcome: 'retry',
      error: 'timed out: no answer within 0.2 s',
    });
    expect(byBook.bad).toMatchObject({
      status: 'dead',
      attempts: 1,
      last_error: 'refused with HTTP 400',
      next_attempt_at: null,
      sent_at: null,
    });
    expect(byBook.fine).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
    expect(byBook.fine?.sent_at).not.toBeNull();

    // Nothing more is sent, whenever the dispatcher runs again.
    const later = await dispatchDue(db.engine, {
      projectId: P,
      playbooks: books,
      now: at(30 * 86_400_000),
      env: ENV,
      random: () => 0,
    });
    expect(later.due).toBe(0);

    // A dead delivery queued again is sent with its own id.
    const bad = byBook.bad?.delivery_id ?? '';
    expect(await retryDeadDelivery(db.engine, P, bad, at(3_600_000))).toBe(true);
    expect(await retryDeadDelivery(db.engine, P, bad, at(3_600_000))).toBe(false);
    expect(await retryDeadDelivery(db.engine, 'p_other', bad, at(3_600_000))).toBe(false);
    const retried = await dispatchDue(db.engine, {
      projectId: P,
      playbooks: books,
      now: at(3_600_000),
      env: ENV,
      random: () => 0,
    });
    expect(retried).toMatchObject({ due: 1, sent: 1 });
    expect(sentTo('/bad').map((r) => r.id)).toEqual([bad, bad]);
  });

  it('signs with both secrets while rotating: the receiver verifies with either', async () => {
    const P = 'p_rotate';
    const books = { rot: playbook(['/rotate']) };
    await recordOccurrences(db.engine, P, [occurrence(P, 'rot', 'u1')], books, T0);
    await drain(P, books, { HOOK_SECRET: `${SECRET} ${OLD_SECRET}` });
    const [r] = sentTo('/rotate');
    expect(r?.verifiedWith).toEqual(['current', 'old']);
  });

  it('reads the URL from url_env; a missing variable makes the delivery dead, naming it', async () => {
    const P = 'p_env';
    const books = {
      from_env: PlaybookSchema.parse({
        trigger: { on: 'became_power_user' },
        actions: [{ webhook: { url_env: 'HOOK_URL', secret_env: 'HOOK_SECRET' } }],
      }),
      no_secret: playbook(['/never'], { secret_env: 'MISSING_SECRET' }),
    };
    await recordOccurrences(
      db.engine,
      P,
      [occurrence(P, 'from_env', 'u1'), occurrence(P, 'no_secret', 'u1')],
      books,
      T0,
    );
    const out = await dispatchDue(db.engine, {
      projectId: P,
      playbooks: books,
      now: T0,
      env: { HOOK_SECRET: SECRET },
      random: () => 0,
    });
    expect(out).toMatchObject({ due: 2, sent: 0, dead: 2 });
    const log = await deliveryLog(db.engine, P);
    expect(log.map((r) => r.last_error).sort()).toEqual([
      'the environment variable HOOK_URL (url_env) is not set',
      'the environment variable MISSING_SECRET (secret_env) is not set',
    ]);
    expect(JSON.stringify(log)).not.toContain(SECRET);
    expect(sentTo('/never')).toEqual([]);

    const dead = log.find((r) => r.playbook === 'from_env')?.delivery_id ?? '';
    await retryDeadDelivery(db.engine, P, dead, T0);
    await dispatchDue(db.engine, {
      projectId: P,
      playbooks: books,
      now: T0,
      env: { HOOK_SECRET: SECRET, HOOK_URL: `${base}/from-env` },
      random: () => 0,
    });
    expect(sentTo('/from-env').map((r) => [r.id, r.verifiedWith])).toEqual([[dead, ['current']]]);
  });

  it('two dispatchers at once send each delivery once: the second finds it taken', async () => {
    const P = 'p_twice';
    const books = { twice: playbook(['/twice']) };
    const occs = ['u1', 'u2', 'u3'].map((u) => occurrence(P, 'twice', u));
    await recordOccurrences(db.engine, P, occs, books, T0);
    const run = () =>
      dispatchDue(db.engine, {
        projectId: P,
        playbooks: books,
        now: T0,
        env: ENV,
        random: () => 0,
      });
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.sent + b.sent).toBe(3);
    // Both found all three due; each delivery was taken by one of them only.
    expect([a.due, b.due]).toEqual([3, 3]);
    expect(a.skipped + b.skipped).toBe(3);
    expect(sentTo('/twice')).toHaveLength(3);
    expect(new Set(sentTo('/twice').map((r) => r.id)).size).toBe(3);
  });

  it('after a crash mid-send, sends again with the same webhook-id once the lease ends', async () => {
    const P = 'p_crash';
    const books = { crash: playbook(['/crash'], { timeout_seconds: 1 }) };
    await recordOccurrences(db.engine, P, [occurrence(P, 'crash', 'u1')], books, T0);
    // The request reaches the receiver, then the dispatcher "dies": its run never ends and
    // records nothing.
    let reached!: () => void;
    const reachedReceiver = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const dying: typeof fetch = async (input, init) => {
      await fetch(input, init);
      reached();
      return new Promise<Response>(() => {});
    };
    void dispatchDue(db.engine, {
      projectId: P,
      playbooks: books,
      now: T0,
      env: ENV,
      random: () => 0,
      fetch: dying,
    });
    await reachedReceiver;
    // While the lease lasts (1 s limit, 8 rounds at most, 20 s margin), no other run takes it.
    const during = await dispatchDue(db.engine, {
      projectId: P,
      playbooks: books,
      now: at(15_000),
      env: ENV,
      random: () => 0,
    });
    expect(during.due).toBe(0);
    const after = await dispatchDue(db.engine, {
      projectId: P,
      playbooks: books,
      now: at(120_000),
      env: ENV,
      random: () => 0,
    });
    expect(after).toMatchObject({ due: 1, sent: 1 });
    const reqs = sentTo('/crash');
    expect(reqs).toHaveLength(2);
    expect(reqs[0]?.id).toBe(reqs[1]?.id);
    for (const r of reqs) expect(r.verifiedWith).toEqual(['current']);
    const [entry] = await deliveryLog(db.engine, P, { withAttempts: true });
    // The lost attempt counts; only the one that ended is logged.
    expect(entry).toMatchObject({ status: 'sent', attempts: 2 });
    expect(entry?.attempt_log?.map((a) => [a.attempt, a.outcome])).toEqual([[2, 'sent']]);
  });
});
