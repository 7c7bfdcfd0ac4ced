import { readdirSync, readFileSync } from 'node:fs';
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

const record = (id: string) => {
  const r = normalizeSegment(
    { type: 'track', event: 'x', userId: 'u', messageId: id },
    { projectId: 'default', source: 'segment', receivedAt: new Date() },
  );
  if (!r.ok) throw new Error(r.reason);
  return JSON.stringify(r.record);
};

const stored = async () =>
  (await db.engine.query<{ id: string }>('SELECT message_id AS id FROM events ORDER BY id')).map(
    (r) => r.id,
  );

describe('a segment that cannot be loaded', () => {
  it('has its unreadable lines set aside, and the rest loaded at once', async () => {
    const collector = await Collector.start(db.engine, {
      logDir: `${db.dir}/log`,
      loadIntervalMs: 60_000,
    });
    await collector.log.append([
      record('a1'),
      '{"kind": "event", "project_id": "def',
      record('a2'),
    ]);
    await collector.loadNow();
    expect(await stored()).toEqual(['a1', 'a2']);
    const kept = readdirSync(`${db.dir}/log/quarantine`);
    expect(kept).toHaveLength(1);
    const line = JSON.parse(readFileSync(`${db.dir}/log/quarantine/${kept[0]}`, 'utf8'));
    expect(line.line).toBe('{"kind": "event", "project_id": "def');
    expect(line.reason).toMatch(/^not JSON/);
    expect(await collector.ready()).toBe(true);
    await collector.close();
  });

  it('stays in the log while the store fails, and loads once it works again', async () => {
    const collector = await Collector.start(db.engine, {
      logDir: `${db.dir}/log`,
      loadIntervalMs: 60_000,
    });
    await collector.log.append([record('b1')]);
    await db.engine.run('ALTER TABLE events RENAME TO events_away');
    for (let i = 0; i < 4; i++) await expect(collector.loadNow()).rejects.toThrow();
    await collector.log.append([record('b2')]);
    await expect(collector.loadNow()).rejects.toThrow();
    expect(await collector.ready()).toBe(false);
    expect(collector.log.closedSegments()).toHaveLength(2);
    await db.engine.run('ALTER TABLE events_away RENAME TO events');
    await collector.loadNow();
    expect(await stored()).toEqual(['b1', 'b2']);
    expect(await collector.ready()).toBe(true);
    await collector.close();
  });

  it('has a readable line the store cannot take set aside alone, with the reason, at once', async () => {
    const collector = await Collector.start(db.engine, {
      logDir: `${db.dir}/log`,
      loadIntervalMs: 60_000,
    });
    await collector.log.append([
      record('before'),
      '{"kind": "event", "project_id": "default", "timestamp": "not a time"}',
      record('after'),
    ]);
    await collector.loadNow();
    expect(collector.log.closedSegments()).toEqual([]);
    expect(readdirSync(`${db.dir}/log/quarantine`)).toHaveLength(1);
    expect(await stored()).toEqual(['after', 'before']);
    const failed = await db.engine.query<{ reason: string }>('SELECT reason FROM failed_events');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.reason).toMatch(/^the loader refused this record: .*not a time/);
    expect(await collector.ready()).toBe(true);
    await collector.close();
  });

  it('does not keep the server from starting', async () => {
    const first = await Collector.start(db.engine, {
      logDir: `${db.dir}/log`,
      loadIntervalMs: 60_000,
    });
    await first.log.append([record('c1')]);
    await db.engine.run('ALTER TABLE events RENAME TO events_away');
    await expect(first.close()).rejects.toThrow();
    const again = await Collector.start(db.engine, {
      logDir: `${db.dir}/log`,
      loadIntervalMs: 60_000,
    });
    expect(await again.ready()).toBe(false);
    await db.engine.run('ALTER TABLE events_away RENAME TO events');
    await again.loadNow();
    expect(await stored()).toEqual(['c1']);
    await again.close();
  });
});
