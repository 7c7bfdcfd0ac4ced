import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runImport } from '../src/ingest/import/run-import.js';
import { runRollup } from '../src/rollup/run-rollup.js';
import { openTempDb, type TempDb } from './helpers/temp-db.js';

let db: TempDb;
beforeEach(async () => {
  db = await openTempDb();
});
afterEach(async () => {
  await db.cleanup();
});

const NOW = new Date('2026-11-20T00:00:00Z');

async function load(name: string, rows: string[][], timeZone = 'UTC'): Promise<void> {
  const csv = ['user_id,timestamp,event', ...rows.map((r) => r.join(','))].join('\n');
  await runImport(db.engine, {
    path: db.file(name, csv),
    projectId: 'default',
    timeZone,
    now: NOW,
  });
}

async function user_days(): Promise<Record<string, unknown>[]> {
  return db.engine.query(
    `SELECT user_id, strftime(day, '%Y-%m-%d') AS day, events, sessions, active_seconds
     FROM user_day ORDER BY user_id, day`,
  );
}

describe('user_day rollup', () => {
  it('starts a new session after exactly 30 minutes of inactivity, not before', async () => {
    await load('s.csv', [
      ['a', '2026-03-02T10:00:00Z', 'x'],
      ['a', '2026-03-02T10:29:59Z', 'x'], // 29:59 later: same session
      ['a', '2026-03-02T10:59:59Z', 'x'], // exactly 30:00 later: new session
      ['b', '2026-03-02T10:00:00Z', 'x'],
    ]);
    await runRollup(db.engine, { projectId: 'default', timeZone: 'UTC', sessionGapMinutes: 30 });
    expect(await user_days()).toEqual([
      { user_id: 'a', day: '2026-03-02', events: 3, sessions: 2, active_seconds: 1799 },
      { user_id: 'b', day: '2026-03-02', events: 1, sessions: 1, active_seconds: 0 },
    ]);
    const perEvent = await db.engine.query(
      "SELECT event, events FROM user_day_event WHERE user_id = 'a'",
    );
    expect(perEvent).toEqual([{ event: 'x', events: 3 }]);
  });

  it('counts days in the project zone across a DST change', async () => {
    // Europe/Berlin leaves summer time on 2026-10-25 at 03:00 local (01:00 UTC).
    const tz = 'Europe/Berlin';
    await load(
      'dst.csv',
      [
        ['a', '2026-10-24T21:30:00Z', 'x'], // 23:30 CEST on the 24th
        ['a', '2026-10-24T22:30:00Z', 'x'], // 00:30 CEST on the 25th
        ['a', '2026-10-25T22:30:00Z', 'x'], // 23:30 CET on the 25th (a 25-hour day)
        ['a', '2026-10-25T23:30:00Z', 'x'], // 00:30 CET on the 26th
      ],
      tz,
    );
    await runRollup(db.engine, { projectId: 'default', timeZone: tz, sessionGapMinutes: 30 });
    const days = (await user_days()).map((r) => [r.day, r.events]);
    expect(days).toEqual([
      ['2026-10-24', 1],
      ['2026-10-25', 2],
      ['2026-10-26', 1],
    ]);
  });

  it('refreshes incrementally after late events and equals a full rebuild', async () => {
    const opts = { projectId: 'default', timeZone: 'UTC', sessionGapMinutes: 30 };
    await load('day1.csv', [
      ['a', '2026-03-01T23:50:00Z', 'x'],
      ['a', '2026-03-02T00:10:00Z', 'y'], // continues the session begun on the 1st
      ['a', '2026-03-05T12:00:00Z', 'x'],
    ]);
    const first = await runRollup(db.engine, opts);
    expect(first.mode).toBe('full');
    expect((await user_days()).map((r) => [r.day, r.sessions])).toEqual([
      ['2026-03-01', 1],
      ['2026-03-02', 0],
      ['2026-03-05', 1],
    ]);
    // A late event on the 1st, after everything else of that day.
    await load('late.csv', [['a', '2026-03-01T23:55:00Z', 'z']]);
    const inc = await runRollup(db.engine, opts);
    expect(inc.mode).toBe('incremental');
    expect(inc.days_rebuilt).toBe(2);
    const incremental = await user_days();
    expect(incremental.map((r) => [r.day, r.events, r.sessions, r.active_seconds])).toEqual([
      ['2026-03-01', 2, 1, 300],
      ['2026-03-02', 1, 0, 900],
      ['2026-03-05', 1, 1, 0],
    ]);
    // Running again changes nothing.
    expect((await runRollup(db.engine, opts)).mode).toBe('up-to-date');
    await runRollup(db.engine, { ...opts, full: true });
    expect(await user_days()).toEqual(incremental);
  });

  it('is idempotent: a forced rebuild twice yields the same rows', async () => {
    await load('i.csv', [
      ['a', '2026-03-01T10:00:00Z', 'x'],
      ['b', '2026-03-01T11:00:00Z', 'y'],
    ]);
    const opts = { projectId: 'default', timeZone: 'UTC', sessionGapMinutes: 30, full: true };
    await runRollup(db.engine, opts);
    const once = await user_days();
    await runRollup(db.engine, opts);
    expect(await user_days()).toEqual(once);
    expect(once).toHaveLength(2);
  });

  it('rebuilds fully when the project time zone changes', async () => {
    await load('z.csv', [['a', '2026-03-01T23:30:00Z', 'x']]);
    await runRollup(db.engine, { projectId: 'default', timeZone: 'UTC', sessionGapMinutes: 30 });
    expect((await user_days())[0]?.day).toBe('2026-03-01');
    const r = await runRollup(db.engine, {
      projectId: 'default',
      timeZone: 'Asia/Tokyo',
      sessionGapMinutes: 30,
    });
    expect(r.reason).toMatch(/time zone changed/);
    expect((await user_days())[0]?.day).toBe('2026-03-02');
  });
});
