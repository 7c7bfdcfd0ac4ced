import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MappingError } from '../../src/ingest/import/detect-mapping.js';
import type { TempDb } from '../helpers/temp-db.js';
import {
  eventCount,
  failureLines,
  importFile,
  reasonLines,
  storedEvents,
  storedFailures,
  useTempDb,
} from './import-helpers.js';

const db = useTempDb();

/**
 * Writes a Parquet fixture with DuckDB itself. COPY cannot take its path as a bound parameter;
 * the path is built from the test's own temp dir and a fixed name, and checked to hold no quote.
 */
async function writeParquet(d: TempDb, name: string, select: string): Promise<string> {
  const path = join(d.dir, name);
  if (path.includes("'")) throw new Error(`unexpected quote in ${path}`);
  await d.engine.run(`COPY (${select}) TO '${path}' (FORMAT parquet)`);
  return path;
}

describe('Parquet import', () => {
  it('reads a TIMESTAMP column as UTC and keeps typed extra columns in properties', async () => {
    await writeParquet(
      db(),
      'typed.parquet',
      `SELECT * FROM (VALUES
         ('u1', TIMESTAMP '2026-01-05 10:00:00.123456', 'login', 'acme', 42, 1.5::DOUBLE, true, ['a', 'b']),
         ('u2', NULL, 'x', NULL, 1, 2.0, false, []),
         (NULL, TIMESTAMP '2026-01-05 11:00:00', 'y', NULL, 1, 2.0, NULL, NULL),
         ('u4', TIMESTAMP '2026-01-05 12:00:00', NULL, NULL, 1, 2.0, NULL, NULL),
         ('u5', TIMESTAMP '1970-01-01 00:00:00', 'z', NULL, 1, 2.0, NULL, NULL),
         ('u6', TIMESTAMP '2026-01-06 00:00:00', 'later', 'acme', 7, 0.25, NULL, ['c'])
       ) AS t(user_id, timestamp, event, account_id, n, f, flag, tags)`,
    );
    const s = await importFile(db(), 'typed.parquet', null);
    expect(s).toMatchObject({
      format: 'parquet',
      shape: 'generic',
      mapping: { user: 'user_id', time: 'timestamp', event: 'event', account: 'account_id' },
      rows_read: 6,
      imported: 2,
      rejected: 4,
      days_touched: 2,
    });
    // Parquet "lines" are row numbers, from 1.
    expect(reasonLines(s)).toEqual({
      'missing timestamp': [2],
      'missing user id': [3],
      'missing event name': [4],
      'timestamp out of range': [5],
    });
    expect(await failureLines(db())).toEqual([
      [2, 'missing timestamp'],
      [3, 'missing user id'],
      [4, 'missing event name'],
      [5, 'timestamp out of range'],
    ]);
    const failures = await storedFailures(db());
    expect(JSON.parse(failures[0]?.raw ?? '')).toMatchObject({ user_id: 'u2', timestamp: null });
    expect(await storedEvents(db())).toEqual([
      expect.objectContaining({
        user_id: 'u1',
        timestamp: '2026-01-05T10:00:00.123Z',
        event: 'login',
        account_id: 'acme',
        properties: { n: 42, f: 1.5, flag: true, tags: ['a', 'b'] },
      }),
      expect.objectContaining({
        user_id: 'u6',
        timestamp: '2026-01-06T00:00:00.000Z',
        properties: { n: 7, f: 0.25, flag: null, tags: ['c'] },
      }),
    ]);
    const [us] = await db().engine.query<{ us: number }>(
      "SELECT epoch_us(timestamp) AS us FROM events WHERE user_id = 'u1'",
    );
    expect(us?.us).toBe(Date.parse('2026-01-05T10:00:00Z') * 1000 + 123_456);
  });

  it('keeps the instant of a TIMESTAMPTZ column', async () => {
    await writeParquet(
      db(),
      'tz.parquet',
      `SELECT 'u1' AS user_id, TIMESTAMPTZ '2026-01-05 12:00:00+02' AS ts, 'e' AS event`,
    );
    await importFile(db(), 'tz.parquet', null);
    expect((await storedEvents(db()))[0]?.timestamp).toBe('2026-01-05T10:00:00.000Z');
  });

  it('reads integer epoch columns by magnitude: ms and seconds', async () => {
    await writeParquet(
      db(),
      'epoch.parquet',
      `SELECT * FROM (VALUES
         ('u1', 1767607200123::BIGINT, 1767607200::INTEGER, 'ms'),
         ('u2', 0::BIGINT, 0::INTEGER, 'zero'),
         ('u3', NULL::BIGINT, NULL::INTEGER, 'none')
       ) AS t(uid, ms, secs, action)`,
    );
    const s = await importFile(db(), 'epoch.parquet', null, { flags: { time: 'ms' } });
    expect(s.mapping).toEqual({ user: 'uid', time: 'ms', event: 'action' });
    expect(reasonLines(s)).toEqual({ 'timestamp out of range': [2], 'missing timestamp': [3] });
    expect(await storedEvents(db())).toEqual([
      expect.objectContaining({
        user_id: 'u1',
        timestamp: '2026-01-05T10:00:00.123Z',
        event: 'ms',
        properties: { secs: 1767607200 },
      }),
    ]);

    await writeParquet(
      db(),
      'secs.parquet',
      `SELECT 'u9' AS user_id, 1767607200::INTEGER AS event_timestamp, 'secs' AS event`,
    );
    await importFile(db(), 'secs.parquet', null);
    const rows = await db().engine.query<{ timestamp: string }>(
      "SELECT timestamp FROM events WHERE user_id = 'u9'",
    );
    expect(rows).toEqual([{ timestamp: '2026-01-05T10:00:00.000Z' }]);
  });

  it('recognises a Mixpanel-like STRUCT properties column and lifts its fields', async () => {
    await writeParquet(
      db(),
      'mixpanel.parquet',
      `SELECT 'Signed Up' AS event,
         {'time': 1767607200::BIGINT, 'distinct_id': 'd1', '$insert_id': 'mp-1', 'plan': 'pro', 'n': 3}
           AS properties
       UNION ALL
       SELECT 'Viewed Page',
         {'time': 1767610800, 'distinct_id': 'd2', '$insert_id': 'mp-2', 'plan': 'free', 'n': 4}
       UNION ALL
       SELECT 'No User',
         {'time': 1767610800, 'distinct_id': NULL, '$insert_id': 'mp-3', 'plan': NULL, 'n': 5}`,
    );
    const s = await importFile(db(), 'mixpanel.parquet', null);
    expect(s.shape).toBe('mixpanel');
    expect(s.mapping).toEqual({
      event: 'event',
      time: 'properties.time',
      user: 'properties.distinct_id',
      id: 'properties.$insert_id',
    });
    expect(s).toMatchObject({ imported: 2, rejected: 1 });
    expect(await failureLines(db())).toEqual([[3, 'missing user id']]);
    // Stored like the same export read from NDJSON: properties lifted, mapped fields dropped.
    expect(await storedEvents(db())).toEqual([
      expect.objectContaining({
        message_id: 'mp-1',
        timestamp: '2026-01-05T10:00:00.000Z',
        user_id: 'd1',
        event: 'Signed Up',
        properties: { plan: 'pro', n: 3 },
      }),
      expect.objectContaining({
        message_id: 'mp-2',
        timestamp: '2026-01-05T11:00:00.000Z',
        user_id: 'd2',
        event: 'Viewed Page',
        properties: { plan: 'free', n: 4 },
      }),
    ]);
  });

  it('fails clearly without a user column, listing columns and STRUCT fields', async () => {
    await writeParquet(
      db(),
      'nouser.parquet',
      `SELECT 'x' AS event, TIMESTAMP '2026-01-05 10:00:00' AS ts, {'plan': 'pro'} AS properties`,
    );
    const run = importFile(db(), 'nouser.parquet', null);
    await expect(run).rejects.toThrow(MappingError);
    await expect(run).rejects.toThrow(
      'cannot tell which field holds the user. Fields found: event, ts, properties, ' +
        'properties.plan. Name them with --user FIELD.',
    );
    expect(await eventCount(db())).toBe(0);
  });

  it('imports nothing new when the same Parquet file is imported again', async () => {
    await writeParquet(
      db(),
      'again.parquet',
      `SELECT 'u' || (i % 10) AS user_id, TIMESTAMP '2026-01-05 00:00:00' + INTERVAL (i) MINUTE AS timestamp,
         'e' || (i % 3) AS event, i AS n
       FROM range(500) AS r(i)`,
    );
    const first = await importFile(db(), 'again.parquet', null);
    expect(first).toMatchObject({ rows_read: 500, imported: 500, duplicates: 0 });
    const second = await importFile(db(), 'again.parquet', null);
    expect(second).toMatchObject({ rows_read: 500, imported: 0, duplicates: 500 });
    expect(await eventCount(db())).toBe(500);
  });

  it('reads TIMESTAMP columns as UTC whatever the session time zone', async () => {
    await writeParquet(
      db(),
      'naive.parquet',
      `SELECT 'u1' AS user_id, TIMESTAMP '2026-01-05 10:00:00' AS timestamp, 'e' AS event`,
    );
    // The engine pins its session zone to UTC; a machine zone cannot leak in (see test/cli.test.ts).
    expect(await db().engine.query("SELECT current_setting('TimeZone') AS tz")).toEqual([
      { tz: 'UTC' },
    ]);
    await importFile(db(), 'naive.parquet', null);
    const rows = await db().engine.query<{ t: string }>(
      "SELECT strftime(timezone('UTC', timestamp), '%Y-%m-%d %H:%M:%S') AS t FROM events",
    );
    expect(rows).toEqual([{ t: '2026-01-05 10:00:00' }]);
  });
});
