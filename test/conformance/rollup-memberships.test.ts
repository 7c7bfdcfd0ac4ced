import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/engines/engine.js';
import { CatalogueSchema } from '../../src/model/catalogue.js';
import { runRollup } from '../../src/rollup/run-rollup.js';
import { ENGINES, type EngineName, type OpenEngine, openEngine } from '../helpers/engines.js';

/**
 * Events without an account take their person's account from group calls (issue 14), the same
 * on every engine: the membership in force at the event, the first one before any, memberships
 * of a visitor followed through identity links, a membership stored after its days were rolled
 * up.
 */
const open = new Map<EngineName, OpenEngine>();
let n = 0;

const event = (ts: string, user: string | null, anon: string | null, account: string | null) => {
  n += 1;
  return {
    project_id: 'p1',
    message_id: `e${n}`,
    timestamp: ts,
    user_id: user,
    anonymous_id: anon,
    account_id: account,
    event: 'report_exported',
    properties: '{"format":"pdf"}',
    received_at: ts,
    source: 'test',
    batch_id: 'b',
  } satisfies Row;
};

const group = (ts: string, user: string | null, anon: string | null, account: string) => {
  n += 1;
  return {
    project_id: 'p1',
    message_id: `g${n}`,
    timestamp: ts,
    user_id: user,
    anonymous_id: anon,
    account_id: account,
    traits: '{}',
    received_at: ts,
    source: 'test',
  } satisfies Row;
};

beforeAll(async () => {
  for (const name of ENGINES) open.set(name, await openEngine(name));
}, 120_000);
afterAll(async () => {
  for (const e of open.values()) await e.close();
});

async function step(
  fn: (e: OpenEngine) => Promise<unknown>,
): Promise<{ report: unknown; rows: string[] }[]> {
  const out: { report: unknown; rows: string[] }[] = [];
  for (const e of open.values()) {
    const report = await fn(e);
    const rows = await e.engine.query<{
      user_id: string;
      account_id: string;
      day: string;
      events: number;
    }>(
      `SELECT user_id, account_id, ${e.dialect.dateText('day')} AS day, events FROM user_day
       WHERE project_id = 'p1' ORDER BY user_id, day, account_id`,
    );
    // Features defined by a property condition are counted under the same account.
    const features = await e.engine.query<{ user_id: string; account_id: string; day: string }>(
      `SELECT user_id, account_id, ${e.dialect.dateText('day')} AS day FROM user_day_feature
       WHERE project_id = 'p1' ORDER BY user_id, day, account_id`,
    );
    const line = (r: { user_id: string; account_id: string; day: string }) =>
      `${r.user_id} ${r.day} ${r.account_id || '-'}`;
    expect(features.map(line)).toEqual(rows.map(line));
    out.push({ report, rows: rows.map((r) => `${line(r)} ${r.events}`) });
  }
  return out;
}

const refresh = (e: OpenEngine, full = false) =>
  runRollup(e.engine, {
    projectId: 'p1',
    timeZone: 'UTC',
    sessionGapMinutes: 30,
    full,
    catalogue: CatalogueSchema.parse({
      features: [{ name: 'pdf_export', events: 'report_*', where: { format: 'pdf' } }],
    }),
    now: new Date('2026-04-01T00:00:00Z'),
  }).then((r) => r.mode);

describe.skipIf(ENGINES.length === 0)(
  `accounts from group calls on ${ENGINES.join(' and ')}`,
  () => {
    it('take the membership in force, the first before any, through identity links, and late', async () => {
      const events = [
        // u1: before its first group call, in acme, then moved to beta; an event's own account wins.
        event('2026-03-09 10:00:00.000', 'u1', null, null),
        event('2026-03-10 11:00:00.000', 'u1', null, null),
        event('2026-03-12 10:00:00.000', 'u1', null, ''),
        event('2026-03-13 10:00:00.000', 'u1', null, 'explicit'),
        // A visitor's group call, then sign-in as u2.
        event('2026-03-06 10:00:00.000', null, 'anon-2', null),
        event('2026-03-07 10:00:00.000', 'u2', 'anon-2', null),
        // u4: a group call at the very instant of an event counts for it.
        event('2026-03-08 12:00:00.000', 'u4', null, null),
        // u3: no group call yet.
        event('2026-03-11 09:00:00.000', 'u3', null, null),
      ];
      const groups = [
        group('2026-03-10 10:00:00.000', 'u1', null, 'acme'),
        group('2026-03-10 10:30:00.000', 'u1', null, 'acme'),
        group('2026-03-12 09:00:00.000', 'u1', 'anon-1', 'beta'),
        group('2026-03-05 10:00:00.000', null, 'anon-2', 'gamma'),
        group('2026-03-01 10:00:00.000', 'u4', null, 'epsilon'),
        group('2026-03-08 12:00:00.000', 'u4', null, 'delta'),
      ];
      const built = await step(async (e) => {
        await e.engine.insert('events', events);
        await e.engine.insert('group_memberships', groups);
        return refresh(e);
      });
      for (const r of built.slice(1)) expect(r).toEqual(built[0]);
      expect(built[0]).toEqual({
        report: 'full',
        rows: [
          'u1 2026-03-09 acme 1',
          'u1 2026-03-10 acme 1',
          'u1 2026-03-12 beta 1',
          'u1 2026-03-13 explicit 1',
          'u2 2026-03-06 gamma 1',
          'u2 2026-03-07 gamma 1',
          'u3 2026-03-11 - 1',
          'u4 2026-03-08 delta 1',
        ],
      });

      // u3's group call is stored after its day was rolled up: no day is marked, the refresh finds it.
      const late = await step(async (e) => {
        await e.engine.insert('group_memberships', [
          group('2026-03-20 10:00:00.000', 'u3', null, 'zeta'),
        ]);
        return refresh(e);
      });
      for (const r of late.slice(1)) expect(r).toEqual(late[0]);
      expect(late[0]?.report).toBe('incremental');
      expect(late[0]?.rows).toContain('u3 2026-03-11 zeta 1');

      const full = await step((e) => refresh(e, true));
      for (const r of full.slice(1)) expect(r).toEqual(full[0]);
      expect(full[0]?.rows).toEqual(late[0]?.rows);

      const idle = await step((e) => refresh(e));
      expect(idle.map((r) => r.report)).toEqual(idle.map(() => 'up-to-date'));
    });
  },
);
