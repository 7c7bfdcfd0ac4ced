import { renameSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Analytics } from '@segment/analytics-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Collector } from '../../src/ingest/collector/collector.js';
import { type CollectorServer, startCollectorServer } from '../helpers/collector-server.js';
import type { TempDb } from '../helpers/temp-db.js';

let server: CollectorServer;
let db: TempDb;
let collector: Collector;
let base: string;
let writeKey: string;
let otherKey: string;

beforeEach(async () => {
  server = await startCollectorServer();
  ({ db, collector, base } = server);
  [writeKey, otherKey] = server.writeKeys;
});
afterEach(() => server.close());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
const basic = (key: string) => ({
  authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
});

/** user_day as "user day events", anonymous rows marked, after a rollup refresh. */
async function rolledUp(): Promise<string[]> {
  await collector.refreshRollups();
  const rows = await db.engine.query<{ r: string }>(
    `SELECT user_id || ' ' || strftime(day, '%m-%d') || ' ' || events ||
       CASE WHEN anonymous THEN ' anonymous' ELSE '' END AS r FROM user_day ORDER BY r`,
  );
  return rows.map((r) => r.r);
}

describe('the Segment routes', () => {
  it('count pre-login events for the user once the SDK identifies them, and after an alias', async () => {
    const analytics = new Analytics({ writeKey, host: base, flushAt: 1, maxRetries: 0 });
    const at = (d: string) => new Date(`2026-11-${d}T10:00:00Z`);
    analytics.page({ anonymousId: 'anon-7', name: 'Pricing', timestamp: at('18') });
    analytics.track({ anonymousId: 'anon-7', event: 'Signup Started', timestamp: at('19') });
    await analytics.closeAndFlush();
    await collector.loadNow();
    expect(await rolledUp()).toEqual(['anon-7 11-18 1 anonymous', 'anon-7 11-19 1 anonymous']);

    const later = new Analytics({ writeKey, host: base, flushAt: 1, maxRetries: 0 });
    later.identify({ userId: 'u7', anonymousId: 'anon-7', traits: { email: 'g@example.com' } });
    later.track({ userId: 'u7', event: 'Project Created', timestamp: at('20') });
    await later.closeAndFlush();
    await collector.loadNow();
    expect(await rolledUp()).toEqual(['u7 11-18 1', 'u7 11-19 1', 'u7 11-20 1']);

    // The user's id changes (alias: previousId → userId): everything so far follows.
    const renamed = new Analytics({ writeKey, host: base, flushAt: 1, maxRetries: 0 });
    renamed.alias({ previousId: 'u7', userId: 'user-0007' });
    await renamed.closeAndFlush();
    await collector.loadNow();
    expect(await rolledUp()).toEqual([
      'user-0007 11-18 1',
      'user-0007 11-19 1',
      'user-0007 11-20 1',
    ]);
  });

  it('store what the real Segment SDK sends: track, identify, group, with user, account and time', async () => {
    const analytics = new Analytics({ writeKey, host: base, flushAt: 3, maxRetries: 0 });
    analytics.identify({ userId: 'u1', traits: { email: 'ada@example.com' } });
    analytics.group({ userId: 'u1', groupId: 'acme', traits: { plan: 'pro' } });
    analytics.track({
      userId: 'u1',
      event: 'Report Exported',
      properties: { format: 'pdf' },
      timestamp: new Date('2026-11-20T10:00:00Z'),
      context: { groupId: 'acme' },
    });
    await analytics.closeAndFlush();
    await collector.loadNow();
    const events = await db.engine.query(
      `SELECT project_id, user_id, account_id, event, properties->>'format' AS format,
         strftime(timestamp, '%Y-%m-%d %H:%M') AS at FROM events`,
    );
    expect(events).toEqual([
      {
        project_id: 'acme',
        user_id: 'u1',
        account_id: 'acme',
        event: 'Report Exported',
        format: 'pdf',
        at: '2026-11-20 10:00',
      },
    ]);
    expect(
      await db.engine.query("SELECT user_id, traits->>'email' AS email FROM identifies"),
    ).toEqual([{ user_id: 'u1', email: 'ada@example.com' }]);
    expect(await db.engine.query('SELECT user_id, account_id FROM group_memberships')).toEqual([
      { user_id: 'u1', account_id: 'acme' },
    ]);
  });

  it('answer bad input with a precise 4xx and keep the valid part of a batch', async () => {
    expect((await post('/v1/track', { event: 'x', userId: 'u' })).status).toBe(401);
    expect((await post('/v1/track', { event: 'x', userId: 'u' }, basic('plw_nope'))).status).toBe(
      401,
    );
    const malformed = await post('/v1/track', '{"event":', basic(writeKey));
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(/^malformed JSON/);
    const batch = await post('/v1/batch', {
      writeKey,
      batch: [
        { type: 'track', event: 'ok', userId: 'u', messageId: 'b1' },
        { type: 'track', userId: 'u' },
      ],
    });
    expect(batch.status).toBe(200);
    expect(await batch.json()).toEqual({
      success: true,
      accepted: 1,
      rejected: [{ index: 1, reason: 'track needs a non-empty event name' }],
    });
    const big = await post('/v1/batch', {
      writeKey,
      batch: Array.from({ length: 2501 }, () => ({})),
    });
    expect(big.status).toBe(413);
    const gz = await post(
      '/v1/track',
      gzipSync(JSON.stringify({ event: 'zipped', userId: 'u', messageId: 'z1' })),
      {
        ...basic(writeKey),
        'content-type': 'application/x-www-form-urlencoded',
      },
    );
    expect(gz.status).toBe(200);
    await collector.loadNow();
    const stored = await db.engine.query<{ message_id: string }>(
      'SELECT message_id FROM events ORDER BY 1',
    );
    expect(stored.map((r) => r.message_id)).toEqual(['b1', 'z1']);
    // The rejected message, and the two requests refused whole once their project was known.
    expect(await db.engine.query('SELECT reason FROM failed_events ORDER BY reason')).toEqual([
      { reason: expect.stringMatching(/^request refused \(400\): malformed JSON/) },
      { reason: 'request refused (413): batch of 2501 messages, the limit is 2500' },
      { reason: 'track needs a non-empty event name' },
    ]);
  });

  it('keeps projects apart: a key writes only into its own project', async () => {
    await post('/v1/track', { event: 'x', userId: 'u', messageId: 'o1' }, basic(otherKey));
    await collector.loadNow();
    expect(await db.engine.query('SELECT project_id FROM events')).toEqual([
      { project_id: 'other' },
    ]);
  });

  it('answers health and readiness, and is not ready when its log cannot take writes', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ ok: true });
    // The log's directory gone (a lost volume): still alive, no longer ready.
    const dir = collector.log.dir;
    renameSync(dir, `${dir}.away`);
    try {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ ok: false });
    } finally {
      renameSync(`${dir}.away`, dir);
    }
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });
});
