import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/engines/engine.js';
import { compileUserSnapshots } from '../../src/sql/compile-user-snapshots.js';
import { expectAllEqual, roundNumbers } from '../helpers/conformance.js';
import { ENGINES, type EngineName, type OpenEngine, openEngine } from '../helpers/engines.js';

/**
 * One user's stored snapshots (what explain reads for a former power user), on every engine from
 * the same rows: every stored period to the as-of date, the user's row or `present` false.
 */
const open = new Map<EngineName, OpenEngine>();
const WEEKS = ['2026-09-07', '2026-09-14', '2026-09-21', '2026-09-28', '2026-10-05'];
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

function snapshotRows(): Row[] {
  const row = (
    week: string,
    user: string,
    power: boolean,
    days: number,
    definition = 'default',
  ) => ({
    project_id: 'p1',
    definition,
    period: 'week',
    period_start: week,
    as_of: addDays(week, 6),
    user_id: user,
    account_id: 'a1',
    is_power_user: power,
    score: power ? 80 : 20,
    criteria_met: power ? 6 : 2,
    criteria_total: 6,
    days_active: days,
    events: days * 10,
    trend: 0,
    days_since_last_seen: 0,
    segments: '',
  });
  return [
    // u1: power in the weeks of Sep 14 and 21, absent on Sep 28, not power on Oct 5.
    row(WEEKS[0] as string, 'u1', false, 12),
    row(WEEKS[1] as string, 'u1', true, 22),
    row(WEEKS[2] as string, 'u1', true, 24),
    row(WEEKS[4] as string, 'u1', false, 6),
    // Someone else in every week, and another definition's rows, which must not count.
    ...WEEKS.map((w) => row(w, 'u2', true, 25)),
    row(WEEKS[3] as string, 'u1', true, 30, 'other'),
  ];
}

beforeAll(async () => {
  for (const name of ENGINES) {
    const e = await openEngine(name);
    open.set(name, e);
    await e.engine.insert('user_snapshots', snapshotRows());
  }
}, 120_000);
afterAll(async () => {
  for (const e of open.values()) await e.close();
});

describe.skipIf(ENGINES.length === 0)(`user snapshots agree on ${ENGINES.join(' and ')}`, () => {
  it("one user's periods, present or not, to the as-of date", async () => {
    const answers: Row[][] = [];
    for (const e of open.values()) {
      const q = compileUserSnapshots(
        e.dialect,
        { projectId: 'p1', definition: 'default', period: 'week' },
        'u1',
        '2026-10-04',
      );
      answers.push((await e.engine.query(q.sql, q.params)).map(roundNumbers));
    }
    const rows = expectAllEqual(answers) ?? [];
    // Oct 5's week was scored as of Oct 11, after the as-of date: left out.
    expect(rows.map((r) => [r.period_start, r.present, r.is_power_user, r.days_active])).toEqual([
      ['2026-09-07', true, false, 12],
      ['2026-09-14', true, true, 22],
      ['2026-09-21', true, true, 24],
      ['2026-09-28', false, false, null],
    ]);
    expect(rows[1]).toMatchObject({ as_of: '2026-09-20', criteria_met: 6, events: 220 });
  });
});
