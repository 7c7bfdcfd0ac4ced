import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Collector } from '../../src/ingest/collector/collector.js';
import { createProject } from '../../src/projects/run-projects.js';
import { createServer } from '../../src/server/create-server.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

let db: TempDb;
let collector: Collector;
let app: FastifyInstance;
let base: string;
let key: string;

beforeEach(async () => {
  db = await openTempDb();
  key = (await createProject(db.engine, { name: 'Acme', timeZone: 'UTC' })).write_key;
  // A tiny budget: one accepted request fills it until the next load.
  collector = await Collector.start(db.engine, {
    logDir: `${db.dir}/log`,
    loadIntervalMs: 60_000,
    maxUnloadedBytes: 100,
  });
  app = createServer({ collector });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterEach(async () => {
  await app.close();
  await collector.close();
  await db.cleanup();
});

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
