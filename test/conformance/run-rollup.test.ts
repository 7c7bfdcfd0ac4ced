import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/engines/engine.js';
import { runRollup } from '../../src/rollup/run-rollup.js';
import { ENGINES, type EngineName, type OpenEngine, openEngine } from '../helpers/engines.js';

/**
 * The rollup refresh as a whole (state, dirty days, identity links, incremental and full builds)
 * on every engine: the same rollups and the same reports of what it did (issue 5).
 */
const open = new Map<EngineName, OpenEngine>();
let n = 0;

const event = (ts: string, user: string | null, anon: string | null, name: string): Row => {
  n += 1;
  return {
    project_id: 'p1',
    message_id: `m${n}`,
    timestamp: ts,
    user_id: user,
    anonymous_id: anon,
    account_id: 'a1',
    event: name,
    properties: '{}',
    received_at: ts,
    source: 'test',
    batch_id: 'b',
  };
};

beforeAll(async () => {
  for (const name of ENGINES) open.set(name, await openEngine(name));
}, 120_000);
afterAll(async () => {
  for (const e of open.values()) await e.close();
});

/** Runs the same step on every engine and returns what each holds afterwards. */
async function step(fn: (e: OpenEngine) => Promise<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const e of open.values()) {
    const report = await fn(e);
    const rows = await e.engine.query(
      `SELECT user_id, anonymous, CAST(day AS VARCHAR) AS day, events, sessions, active_seconds
       FROM user_day WHERE project_id = 'p1' ORDER BY user_id, day`,
    );
    out.push({ report, rows });
  }
  return out;
}

const refresh = (e: OpenEngine, full = false) =>
  runRollup(e.engine, {
    projectId: 'p1',
    timeZone: 'Europe/Berlin',
    sessionGapMinutes: 30,
    full,
    now: new Date('2026-04-01T00:00:00Z'),
  }).then(({ seconds: _s, user_days: _u, ...r }) => r);

const dirty = (e: OpenEngine, days: string[]) =>
  e.engine.insert(
    'rollup_dirty_days',
    days.map((day) => ({ project_id: 'p1', day })),
  );

describe.skipIf(ENGINES.length === 0)(
  `the rollup refresh agrees on ${ENGINES.join(' and ')}`,
  () => {
    it('first build, a late link, an incremental refresh, then a full rebuild', async () => {
      const first = [
        event('2026-03-27 09:00:00.000', null, 'anon-1', 'page_viewed'),
        event('2026-03-28 23:30:00.000', 'u1', null, 'report_exported'),
        event('2026-03-29 00:10:00.000', 'u1', null, 'report_exported'),
        event('2026-03-29 08:00:00.000', 'u2', null, 'login'),
        event('2026-03-30 08:00:00.000', 'u2', null, 'invite_sent'),
      ];
      const built = await step(async (e) => {
        await e.engine.insert('events', first);
        return refresh(e);
      });
      for (const r of built.slice(1)) expect(r).toEqual(built[0]);
      expect(built[0]).toMatchObject({ report: { mode: 'full', reason: 'first build' } });

      // anon-1 signs in as u1 on the 31st: its visit on the 27th is recounted.
      const later = [event('2026-03-31 10:00:00.000', 'u1', 'anon-1', 'signed_in')];
      const incremental = await step(async (e) => {
        await e.engine.insert('events', later);
        await dirty(e, ['2026-03-31']);
        return refresh(e);
      });
      for (const r of incremental.slice(1)) expect(r).toEqual(incremental[0]);
      expect(incremental[0]).toMatchObject({ report: { mode: 'incremental', ids_relinked: 1 } });
      const rows = (incremental[0] as { rows: Row[] }).rows;
      expect(rows.some((r) => r.user_id === 'anon-1')).toBe(false);
      expect(rows.filter((r) => r.user_id === 'u1').map((r) => r.day)).toContain('2026-03-27');

      const full = await step((e) => refresh(e, true));
      for (const r of full.slice(1)) expect(r).toEqual(full[0]);
      expect((full[0] as { rows: Row[] }).rows).toEqual(rows);

      const idle = await step((e) => refresh(e));
      expect(idle[0]).toMatchObject({ report: { mode: 'up-to-date' } });
      for (const r of idle.slice(1)) expect(r).toEqual(idle[0]);
    });
  },
);
