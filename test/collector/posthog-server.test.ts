import { PostHog } from 'posthog-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Collector } from '../../src/ingest/collector/collector.js';
import { type CollectorServer, startCollectorServer } from '../helpers/collector-server.js';
import type { TempDb } from '../helpers/temp-db.js';

let server: CollectorServer;
let db: TempDb;
let collector: Collector;
let base: string;
let key: string;
let otherKey: string;

beforeEach(async () => {
  server = await startCollectorServer();
  ({ db, collector, base } = server);
  [key, otherKey] = server.writeKeys;
});
afterEach(() => server.close());

describe('the PostHog routes', () => {
  it('count an anonymous distinct id for the person once the SDK aliases it', async () => {
    const ph = new PostHog(key, { host: base, flushAt: 1, fetchRetryCount: 0 });
    const at = (d: string) => new Date(`2026-11-${d}T10:00:00Z`);
    ph.capture({ distinctId: 'anon-3', event: 'pageview', timestamp: at('18') });
    ph.capture({ distinctId: 'u3', event: 'report exported', timestamp: at('19') });
    ph.alias({ distinctId: 'u3', alias: 'anon-3' });
    await ph.shutdown();
    await collector.loadNow();
    await collector.refreshRollups();
    expect(
      await db.engine.query(
        "SELECT user_id, strftime(day, '%m-%d') AS day FROM user_day ORDER BY day",
      ),
    ).toEqual([
      { user_id: 'u3', day: '11-18' },
      { user_id: 'u3', day: '11-19' },
    ]);
  });

  it('store what the real PostHog SDK sends (gzipped): capture with groups, identify, alias, group identify', async () => {
    const ph = new PostHog(key, { host: base, flushAt: 10, fetchRetryCount: 0 });
    ph.capture({
      distinctId: 'u1',
      event: 'report exported',
      properties: { format: 'pdf' },
      groups: { company: 'acme' },
      timestamp: new Date('2026-11-20T10:00:00Z'),
    });
    ph.identify({ distinctId: 'u1', properties: { $set: { email: 'ada@example.com' } } });
    ph.alias({ distinctId: 'u1', alias: 'anon-1' });
    ph.groupIdentify({ groupType: 'company', groupKey: 'acme', properties: { name: 'Acme' } });
    await ph.shutdown();
    await collector.loadNow();
    expect(
      await db.engine.query(
        `SELECT project_id, user_id, account_id, event, properties->>'format' AS format,
           strftime(timestamp, '%Y-%m-%d %H:%M') AS at, source FROM events`,
      ),
    ).toEqual([
      {
        project_id: 'acme',
        user_id: 'u1',
        account_id: 'acme',
        event: 'report exported',
        format: 'pdf',
        at: '2026-11-20 10:00',
        source: 'posthog',
      },
    ]);
    expect(
      await db.engine.query("SELECT user_id, traits->>'email' AS email FROM identifies"),
    ).toEqual([{ user_id: 'u1', email: 'ada@example.com' }]);
    expect(await db.engine.query('SELECT user_id, previous_id FROM aliases')).toEqual([
      { user_id: 'u1', previous_id: 'anon-1' },
    ]);
    expect(
      await db.engine.query("SELECT account_id, traits->>'name' AS name FROM group_memberships"),
    ).toEqual([{ account_id: 'acme', name: 'Acme' }]);
  });

  it('refuses a batch mixing two projects’ keys, and a missing key', async () => {
    const send = (body: unknown) =>
      fetch(`${base}/batch/`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
    const mixed = await send({
      api_key: key,
      batch: [
        { event: 'a', distinct_id: 'u', api_key: key },
        { event: 'b', distinct_id: 'u', api_key: otherKey },
      ],
    });
    expect(mixed.status).toBe(401);
    expect(((await mixed.json()) as { error: string }).error).toBe(
      'the events carry keys of different projects',
    );
    expect((await send({ batch: [{ event: 'a', distinct_id: 'u' }] })).status).toBe(401);
    const ok = await send({ token: key, event: 'single', distinct_id: 'u', uuid: 's1' });
    expect(ok.status).toBe(200);
    await collector.loadNow();
    expect(await db.engine.query('SELECT message_id FROM events')).toEqual([{ message_id: 's1' }]);
  });
});
