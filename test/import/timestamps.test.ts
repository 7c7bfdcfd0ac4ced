import { describe, expect, it } from 'vitest';
import {
  csv,
  dirtyDays,
  failureLines,
  importFile,
  NOW,
  ndjson,
  reasonCounts,
  reasonLines,
  storedEvents,
  useTempDb,
} from './import-helpers.js';

const db = useTempDb();

/** 2026-01-05T10:00:00.000Z written every way the importer accepts. */
const SAME_INSTANT: [string, string][] = [
  ['iso-z', '2026-01-05T10:00:00Z'],
  ['iso-z-ms', '2026-01-05T10:00:00.000Z'],
  ['offset-plus', '2026-01-05T12:00:00+02:00'],
  ['offset-minus', '2026-01-05T05:00:00-05:00'],
  ['offset-compact', '2026-01-05T15:30:00+0530'],
  ['zoneless-t', '2026-01-05T10:00:00'],
  ['zoneless-space', '2026-01-05 10:00:00'],
  ['zoneless-micros', '2026-01-05 10:00:00.000000'],
  ['named-zone', '2026-01-05 11:00:00 Europe/Berlin'],
  ['epoch-s', '1767607200'],
  ['epoch-s-frac', '1767607200.0'],
  ['epoch-ms', '1767607200000'],
  ['epoch-us', '1767607200000000'],
];
const INSTANT = '2026-01-05T10:00:00.000Z';

async function storedTimes(): Promise<Record<string, string>> {
  const events = await storedEvents(db());
  return Object.fromEntries(events.map((e) => [e.user_id, e.timestamp]));
}

describe('timestamps', () => {
  it('stores mixed formats in one CSV file as the same UTC instant', async () => {
    const s = await importFile(
      db(),
      'mixed.csv',
      csv('user_id,timestamp,event', ...SAME_INSTANT.map(([u, t]) => `${u},${t},e`)),
    );
    expect(s).toMatchObject({ imported: SAME_INSTANT.length, rejected: 0, days_touched: 1 });
    expect(await storedTimes()).toEqual(
      Object.fromEntries(SAME_INSTANT.map(([u]) => [u, INSTANT])),
    );
  });

  it('does not let a zone named on one row shift the zone-less rows after it', async () => {
    await importFile(
      db(),
      'named-first.csv',
      csv(
        'user_id,timestamp,event',
        'berlin,2026-01-05 11:00:00 Europe/Berlin,e',
        'date-only,2026-01-05,e',
        'zoneless,2026-01-05 10:00:00,e',
        'tokyo,2026-01-05 19:00:00 Asia/Tokyo,e',
        'zoneless-2,2026-01-05T10:00:00,e',
      ),
    );
    expect(await storedTimes()).toEqual({
      berlin: INSTANT,
      'date-only': '2026-01-05T00:00:00.000Z',
      zoneless: INSTANT,
      tokyo: INSTANT,
      'zoneless-2': INSTANT,
    });
  });

  it('stores mixed formats in one NDJSON file, numbers and strings, as the same instant', async () => {
    const s = await importFile(
      db(),
      'mixed.ndjson',
      ndjson(
        ...SAME_INSTANT.map(([u, t]) => ({ user_id: u, time: t, event: 'e' })),
        { user_id: 'num-s', time: 1767607200, event: 'e' },
        { user_id: 'num-ms', time: 1767607200000, event: 'e' },
        { user_id: 'num-us', time: 1767607200000000, event: 'e' },
        { user_id: 'num-frac', time: 1767607200.25, event: 'e' },
      ),
    );
    expect(s.rejected).toBe(0);
    expect(await storedTimes()).toEqual({
      ...Object.fromEntries(SAME_INSTANT.map(([u]) => [u, INSTANT])),
      'num-s': INSTANT,
      'num-ms': INSTANT,
      'num-us': INSTANT,
      'num-frac': '2026-01-05T10:00:00.250Z',
    });
  });

  it('reads zone-less times as UTC whatever the session time zone', async () => {
    // The engine pins its session zone to UTC; a machine zone cannot leak in (see test/cli.test.ts).
    expect(await db().engine.query("SELECT current_setting('TimeZone') AS tz")).toEqual([
      { tz: 'UTC' },
    ]);
    await importFile(
      db(),
      'zoneless.csv',
      csv(
        'user_id,timestamp,event',
        'a,2026-01-05 10:00:00,e',
        'b,2026-01-05T10:00:00.123,e',
        'c,2026-01-05T10:00:00Z,e',
        'd,2026-01-05T19:00:00+09:00,e',
      ),
    );
    await importFile(
      db(),
      'zoneless.ndjson',
      ndjson({ user_id: 'n', time: '2026-01-05 10:00:00', event: 'e' }),
    );
    expect(await storedTimes()).toEqual({
      a: INSTANT,
      b: '2026-01-05T10:00:00.123Z',
      c: INSTANT,
      d: INSTANT,
      n: INSTANT,
    });
  });

  it('rejects bad timestamps, grouped by reason with the first three lines', async () => {
    const lines = ['user_id,timestamp,event'];
    const add = (u: string, t: string) => lines.push(`${u},${t},e`);
    add('ok1', '2026-01-05T10:00:00Z'); // 2
    add('b1', 'not a time'); // 3
    add('b2', '2026-13-45T10:00:00Z'); // 4
    add('o1', '0'); // 5: 1970
    add('b3', 'yesterday'); // 6
    add('o2', '1989-12-31T23:59:59Z'); // 7
    add('ok2', '1990-01-01T00:00:00Z'); // 8: the first accepted instant
    add('b4', '2026/01/05 10h00'); // 9
    add('o3', '2026-11-21T00:00:01Z'); // 10: a second past now + 1 day
    add('ok3', '2026-11-21T00:00:00Z'); // 11: exactly now + 1 day
    add('m1', ''); // 12
    add('o4', '99999999999999999999'); // 13: no unit fits
    const s = await importFile(db(), 'bad-times.csv', csv(...lines));
    expect(s).toMatchObject({ rows_read: 12, imported: 3, rejected: 9 });
    expect(reasonCounts(s)).toEqual({
      'unparseable timestamp': 5,
      'timestamp out of range': 3,
      'missing timestamp': 1,
    });
    expect(reasonLines(s)).toEqual({
      'unparseable timestamp': [3, 4, 6],
      'timestamp out of range': [5, 7, 10],
      'missing timestamp': [12],
    });
    // The summary lists reasons by how many rows they cost.
    expect(s.reasons.map((r) => r.reason)).toEqual([
      'unparseable timestamp',
      'timestamp out of range',
      'missing timestamp',
    ]);
    expect(await failureLines(db())).toEqual([
      [3, 'unparseable timestamp'],
      [4, 'unparseable timestamp'],
      [5, 'timestamp out of range'],
      [6, 'unparseable timestamp'],
      [7, 'timestamp out of range'],
      [9, 'unparseable timestamp'],
      [10, 'timestamp out of range'],
      [12, 'missing timestamp'],
      [13, 'unparseable timestamp'],
    ]);
    expect(await storedTimes()).toEqual({
      ok1: INSTANT,
      ok2: '1990-01-01T00:00:00.000Z',
      ok3: new Date(NOW.getTime() + 86_400_000).toISOString(),
    });
  });

  it('marks the local days of the project time zone for the rollup', async () => {
    const s = await importFile(
      db(),
      'tokyo.csv',
      csv(
        'user_id,timestamp,event',
        'a,2026-01-05T14:59:59Z,e', // 23:59:59 on the 5th in Tokyo
        'a,2026-01-05T15:00:00Z,e', // 00:00 on the 6th in Tokyo
        'b,2026-01-04T16:00:00Z,e', // 01:00 on the 5th in Tokyo, the 4th in UTC
        'c,bogus,e', // rejected rows mark nothing
        'c,2026-02-01T00:00:00Z,', // nor does a row without an event
      ),
      { timeZone: 'Asia/Tokyo' },
    );
    expect(s).toMatchObject({ imported: 3, rejected: 2, days_touched: 2 });
    expect(await dirtyDays(db())).toEqual(['2026-01-05', '2026-01-06']);

    // A day already marked stays marked once; another project's days are its own.
    await importFile(
      db(),
      'tokyo2.ndjson',
      ndjson(
        { user_id: 'd', time: '2026-01-06T03:00:00+09:00', event: 'e' },
        { user_id: 'e', time: '2026-01-31T20:00:00Z', event: 'e' },
      ),
      { timeZone: 'Asia/Tokyo', projectId: 'p2' },
    );
    await importFile(
      db(),
      'tokyo3.csv',
      csv('user_id,timestamp,event', 'f,2026-01-05T20:00:00Z,e'),
      { timeZone: 'Asia/Tokyo' },
    );
    expect(await dirtyDays(db())).toEqual(['2026-01-05', '2026-01-06']);
    expect(await dirtyDays(db(), 'p2')).toEqual(['2026-01-06', '2026-02-01']);
  });
});
