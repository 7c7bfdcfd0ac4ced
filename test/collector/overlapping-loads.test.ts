import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Collector } from '../../src/ingest/collector/collector.js';
import { normalizeSegment } from '../../src/ingest/collector/normalize-segment.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

let db: TempDb;
beforeEach(async () => {
  db = await openTempDb();
});
afterEach(async () => {
  await db.cleanup();
});

describe('loads of the log', () => {
  it('never overlap: concurrent loads (timer, shutdown) store each record once and fail nothing', async () => {
    const collector = await Collector.start(db.engine, {
      logDir: `${db.dir}/log`,
      loadIntervalMs: 60_000,
    });
    const receivedAt = new Date('2026-11-24T12:00:00Z');
    for (let round = 0; round < 5; round++) {
      const records = Array.from({ length: 200 }, (_, i) => {
        const r = normalizeSegment(
          { type: 'track', event: 'x', userId: 'u', messageId: `r${round}-${i}` },
          { projectId: 'default', source: 'segment', receivedAt },
        );
        if (!r.ok) throw new Error(r.reason);
        return r.record;
      });
      await collector.accept(records);
      // Two loads at once, as when the timer fires during shutdown.
      await Promise.all([collector.loadNow(), collector.loadNow(), collector.loadNow()]);
    }
    await collector.close();
    const [row] = await db.engine.query<{ n: number; ids: number }>(
      'SELECT count(*) AS n, count(DISTINCT message_id) AS ids FROM events',
    );
    expect(row).toEqual({ n: 1000, ids: 1000 });
  });
});

describe('a segment that cannot be loaded', () => {
  it('is retried, then set aside after three failures so later segments still load', async () => {
    const collector = await Collector.start(db.engine, {
      logDir: `${db.dir}/log`,
      loadIntervalMs: 60_000,
    });
    await collector.log.append([
      '{"kind": "event", "project_id": "default", "timestamp": "not a time"}',
    ]);
    await collector.log.rotate();
    await expect(collector.loadNow()).rejects.toThrow();
    await expect(collector.loadNow()).rejects.toThrow();
    await collector.loadNow(); // third failure: set aside
    expect(collector.log.closedSegments()).toEqual([]);
    expect(readdirSync(`${db.dir}/log/quarantine`)).toHaveLength(1);
    const r = normalizeSegment(
      { type: 'track', event: 'x', userId: 'u', messageId: 'after' },
      { projectId: 'default', source: 'segment', receivedAt: new Date() },
    );
    if (!r.ok) throw new Error(r.reason);
    await collector.accept([r.record]);
    await collector.close();
    expect(await db.engine.query('SELECT message_id FROM events')).toEqual([
      { message_id: 'after' },
    ]);
  });
});
