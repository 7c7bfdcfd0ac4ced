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
  // A tiny budget: one accepted request fills it until the next load.
  server = await startCollectorServer({ maxUnloadedBytes: 100 });
  ({ db, collector, base } = server);
  [key] = server.writeKeys;
});
afterEach(() => server.close());

const track = (id: string) =>
  fetch(`${base}/v1/track`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ writeKey: key, event: 'x', userId: 'u', messageId: id }),
  });

describe('back-pressure', () => {
  it('answers 429 with Retry-After while too much waits to be loaded, and takes requests again after', async () => {
    expect((await track('a')).status).toBe(200);
    const busy = await track('b');
    expect(busy.status).toBe(429);
    expect(busy.headers.get('retry-after')).toBe('2');
    await collector.loadNow();
    expect((await track('b')).status).toBe(200);
    await collector.loadNow();
    const ids = await db.engine.query<{ message_id: string }>(
      'SELECT message_id FROM events ORDER BY 1',
    );
    expect(ids.map((r) => r.message_id)).toEqual(['a', 'b']);
  });
});
