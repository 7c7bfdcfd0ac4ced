import Analytics from '@rudderstack/rudder-sdk-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Collector } from '../../src/ingest/collector/collector.js';
import { type CollectorServer, startCollectorServer } from '../helpers/collector-server.js';
import type { TempDb } from '../helpers/temp-db.js';

let server: CollectorServer;
let db: TempDb;
let collector: Collector;
let base: string;
let key: string;

beforeEach(async () => {
  server = await startCollectorServer();
  ({ db, collector, base } = server);
  [key] = server.writeKeys;
});
afterEach(() => server.close());

describe('the RudderStack SDK', () => {
  it('is stored through the Segment routes (gzipped JSON labelled as a form)', async () => {
    const client = new Analytics(key, { dataPlaneUrl: base, flushAt: 1, logLevel: 'error' });
    await client.track({
      userId: 'u1',
      event: 'Report Exported',
      properties: { format: 'pdf' },
      timestamp: new Date('2026-11-20T10:00:00Z'),
      context: { groupId: 'acme' },
    });
    await client.identify({ userId: 'u1', traits: { email: 'ada@example.com' } });
    await client.group({ userId: 'u1', groupId: 'acme', traits: { plan: 'pro' } });
    await client.flush();
    // The SDK sends each message on its own schedule: wait until all three are in the log.
    for (let i = 0; i < 50; i++) {
      await collector.loadNow();
      const [n] = await db.engine.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM identifies)
           + (SELECT count(*) FROM group_memberships) AS n`,
      );
      if ((n?.n ?? 0) >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(
      await db.engine.query(
        `SELECT user_id, account_id, event, properties->>'format' AS format,
           strftime(timestamp, '%Y-%m-%d %H:%M') AS at FROM events`,
      ),
    ).toEqual([
      {
        user_id: 'u1',
        account_id: 'acme',
        event: 'Report Exported',
        format: 'pdf',
        at: '2026-11-20 10:00',
      },
    ]);
    expect(await db.engine.query('SELECT user_id FROM identifies')).toEqual([{ user_id: 'u1' }]);
    expect(await db.engine.query('SELECT user_id, account_id FROM group_memberships')).toEqual([
      { user_id: 'u1', account_id: 'acme' },
    ]);
  }, 20_000);
});
