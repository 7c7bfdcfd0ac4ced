import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRollup } from '../src/rollup/run-rollup.js';
import { openTempDb, type TempDb } from './helpers/temp-db.js';

/**
 * Identity resolution in the rollup: events stored under an anonymous id, or under an id later
 * aliased, count for the person once a link arrives, whether it arrives before the rollup or
 * after (an incremental refresh then recounts the linked id's days).
 */
let db: TempDb;
let seq = 0;
const P = 'default';

beforeEach(async () => {
  db = await openTempDb();
});
afterEach(async () => {
  await db.cleanup();
});

/** Stores an event as a writer does: the row, and its local day marked dirty. */
async function event(user: string | null, anon: string | null, ts: string): Promise<void> {
  seq += 1;
  await db.engine.run(
    `INSERT INTO events (project_id, message_id, timestamp, user_id, anonymous_id, account_id,
       event, properties, received_at, source, batch_id)
     VALUES ($p, $id, CAST($ts AS TIMESTAMPTZ), $user, $anon, NULL, 'page_viewed', NULL,
       CAST($ts AS TIMESTAMPTZ), 'test', 'test')`,
    { p: P, id: `m${seq}`, ts, user, anon },
  );
  await markDirty(ts);
}

async function markDirty(ts: string): Promise<void> {
  await db.engine.run(
    'INSERT OR IGNORE INTO rollup_dirty_days VALUES ($p, CAST(CAST($ts AS TIMESTAMPTZ) AS DATE))',
    { p: P, ts },
  );
}

async function alias(previous: string, user: string, ts: string): Promise<void> {
  seq += 1;
  await db.engine.run(
    `INSERT INTO aliases VALUES ($p, $id, CAST($ts AS TIMESTAMPTZ), $user, $prev,
       CAST($ts AS TIMESTAMPTZ), 'test')`,
    { p: P, id: `a${seq}`, ts, user, prev: previous },
  );
  await markDirty(ts);
}

async function identify(user: string, anon: string, ts: string): Promise<void> {
  seq += 1;
  await db.engine.run(
    `INSERT INTO identifies VALUES ($p, $id, CAST($ts AS TIMESTAMPTZ), $user, $anon, NULL,
       CAST($ts AS TIMESTAMPTZ), 'test')`,
    { p: P, id: `i${seq}`, ts, user, anon },
  );
  await markDirty(ts);
}

const rollup = (full = false) =>
  runRollup(db.engine, { projectId: P, timeZone: 'UTC', sessionGapMinutes: 30, full });

/** user_day as "user day events anonymous", sorted. */
async function userDays(): Promise<string[]> {
  const rows = await db.engine.query<{ r: string }>(
    `SELECT user_id || ' ' || strftime(day, '%m-%d') || ' ' || events ||
       CASE WHEN anonymous THEN ' anonymous' ELSE '' END AS r
     FROM user_day ORDER BY r`,
  );
  return rows.map((r) => r.r);
}

async function userDayEvents(): Promise<string[]> {
  const rows = await db.engine.query<{ r: string }>(
    `SELECT user_id || ' ' || strftime(day, '%m-%d') || ' ' || event || ' ' || events AS r
     FROM user_day_event ORDER BY r`,
  );
  return rows.map((r) => r.r);
}

describe('identity resolution in the rollup', () => {
  it('counts pre-login events for the user once an event carries both ids', async () => {
    await event(null, 'anon-1', '2026-11-01T10:00:00Z');
    await event(null, 'anon-1', '2026-11-02T10:00:00Z');
    await event('u1', 'anon-1', '2026-11-03T10:00:00Z');
    await event('u1', null, '2026-11-03T10:05:00Z');
    await rollup();
    expect(await userDays()).toEqual(['u1 11-01 1', 'u1 11-02 1', 'u1 11-03 2']);
  });

  it('recounts earlier days when the link arrives after they were rolled up', async () => {
    await event(null, 'anon-1', '2026-11-01T10:00:00Z');
    await event('u1', null, '2026-11-10T10:00:00Z');
    await rollup();
    expect(await userDays()).toEqual(['anon-1 11-01 1 anonymous', 'u1 11-10 1']);

    await identify('u1', 'anon-1', '2026-11-10T09:59:00Z');
    const r = await rollup();
    expect(r.mode).toBe('incremental');
    expect(r.ids_relinked).toBe(1);
    expect(await userDays()).toEqual(['u1 11-01 1', 'u1 11-10 1']);
    expect(await userDayEvents()).toEqual(['u1 11-01 page_viewed 1', 'u1 11-10 page_viewed 1']);
  });

  it('joins a session that spans the login into one', async () => {
    await event(null, 'anon-1', '2026-11-01T10:00:00Z');
    await event('u1', 'anon-1', '2026-11-01T10:10:00Z');
    await rollup();
    const [row] = await db.engine.query<{ sessions: number; active_seconds: number }>(
      'SELECT sessions, active_seconds FROM user_day',
    );
    expect(row).toEqual({ sessions: 1, active_seconds: 600 });
  });

  it('follows alias chains, and a later alias moves already counted days', async () => {
    await event(null, 'anon-1', '2026-11-01T10:00:00Z');
    await identify('u1', 'anon-1', '2026-11-02T10:00:00Z');
    await event('u1', null, '2026-11-02T10:00:00Z');
    await rollup();
    expect(await userDays()).toEqual(['u1 11-01 1', 'u1 11-02 1']);

    // The user's id changes (Segment alias: previousId → userId); old events follow.
    await alias('u1', 'person-1', '2026-11-05T10:00:00Z');
    await event('person-1', null, '2026-11-05T10:00:00Z');
    const r = await rollup();
    expect(r.ids_relinked).toBe(2); // u1, and anon-1 through it
    expect(await userDays()).toEqual(['person-1 11-01 1', 'person-1 11-02 1', 'person-1 11-05 1']);
  });

  it('gives a shared anonymous id to whoever signed in on it first', async () => {
    await event(null, 'device-1', '2026-11-01T09:00:00Z');
    await event('u2', 'device-1', '2026-11-03T10:00:00Z');
    await event('u1', 'device-1', '2026-11-02T10:00:00Z');
    await rollup();
    expect(await userDays()).toEqual(['u1 11-01 1', 'u1 11-02 1', 'u2 11-03 1']);
  });

  it('gives the same rollup incrementally as from a full rebuild, whatever the arrival order', async () => {
    await event(null, 'a1', '2026-11-01T10:00:00Z');
    await event(null, 'a2', '2026-11-01T11:00:00Z');
    await rollup();
    await event('u1', 'a1', '2026-11-04T10:00:00Z');
    await rollup();
    await alias('a2', 'u2', '2026-11-06T10:00:00Z');
    await event('u2', null, '2026-11-06T10:00:00Z');
    await rollup();
    await alias('u2', 'u1', '2026-11-07T10:00:00Z');
    await rollup();
    const incremental = [await userDays(), await userDayEvents()];
    const r = await rollup(true);
    expect(r.mode).toBe('full');
    expect([await userDays(), await userDayEvents()]).toEqual(incremental);
    expect(incremental[0]).toEqual(['u1 11-01 2', 'u1 11-04 1', 'u1 11-06 1']);
  });

  it('keeps projects apart: a link in one project does not move another project’s events', async () => {
    await db.engine.run("INSERT INTO projects (project_id, name) VALUES ('other', 'Other')");
    await db.engine.run(
      `INSERT INTO events (project_id, message_id, timestamp, user_id, anonymous_id, account_id,
         event, properties, received_at, source, batch_id)
       VALUES ('other', 'x1', TIMESTAMPTZ '2026-11-01 10:00:00+00', NULL, 'anon-1', NULL, 'e',
         NULL, TIMESTAMPTZ '2026-11-01 10:00:00+00', 'test', 'test')`,
    );
    await event(null, 'anon-1', '2026-11-01T10:00:00Z');
    await identify('u1', 'anon-1', '2026-11-01T11:00:00Z');
    await rollup();
    await runRollup(db.engine, { projectId: 'other', timeZone: 'UTC', sessionGapMinutes: 30 });
    const other = await db.engine.query(
      "SELECT user_id, anonymous FROM user_day WHERE project_id = 'other'",
    );
    expect(other).toEqual([{ user_id: 'anon-1', anonymous: true }]);
    expect(await userDays()).toContain('u1 11-01 1');
  });
});

describe('identity resolution at scale', () => {
  it('rebuilds everything at once when relinked ids dirty most days, with the same result', async () => {
    // An anonymous id active on 30 days, linked afterwards: 31 of 31 days dirty.
    for (let d = 1; d <= 30; d++) {
      await event(null, 'anon-1', `2026-10-${String(d).padStart(2, '0')}T10:00:00Z`);
    }
    await event('u1', null, '2026-10-31T10:00:00Z');
    await rollup();
    await identify('u1', 'anon-1', '2026-10-31T09:00:00Z');
    const r = await rollup();
    expect(r.mode).toBe('full');
    expect(r.reason).toMatch(/ids relinked on \d+ days: a full rebuild is faster/);
    expect(r.ids_relinked).toBe(1);
    const after = await userDays();
    expect(after).toHaveLength(31);
    expect(after.every((row) => row.startsWith('u1 '))).toBe(true);
    await rollup(true);
    expect(await userDays()).toEqual(after);
  });
});

describe('identity resolution, any arrival order', () => {
  it('incremental refreshes end where one full rebuild does (random histories, fixed seed)', async () => {
    const ids = ['a1', 'a2', 'a3', 'u1', 'u2', 'u3'];
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('event' as const),
        user: fc.constantFrom(null, 'u1', 'u2', 'u3'),
        anon: fc.constantFrom(null, 'a1', 'a2', 'a3'),
        day: fc.integer({ min: 1, max: 20 }),
      }),
      fc.record({
        kind: fc.constant('alias' as const),
        from: fc.constantFrom(...ids),
        to: fc.constantFrom(...ids),
        day: fc.integer({ min: 1, max: 20 }),
      }),
      fc.record({ kind: fc.constant('rollup' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
        for (const t of [
          'events',
          'aliases',
          'identifies',
          'identity_links',
          'identity_map',
          'user_day',
          'user_day_event',
          'rollup_dirty_days',
          'rollup_state',
        ]) {
          await db.engine.run(`DELETE FROM ${t}`);
        }
        const at = (day: number, h: number) =>
          `2026-10-${String(day).padStart(2, '0')}T${String(h).padStart(2, '0')}:00:00Z`;
        let h = 0;
        for (const s of steps) {
          h = (h + 1) % 24;
          if (s.kind === 'event') {
            if (s.user || s.anon) await event(s.user, s.anon, at(s.day, h));
          } else if (s.kind === 'alias') await alias(s.from, s.to, at(s.day, h));
          else await rollup();
        }
        await rollup();
        const incremental = [await userDays(), await userDayEvents()];
        await rollup(true);
        expect([await userDays(), await userDayEvents()]).toEqual(incremental);
      }),
      { seed: 11, numRuns: 40 },
    );
  });
});
