import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainUser } from '../../src/analysis/explain-user.js';
import { runSnapshots } from '../../src/lifecycle/run-snapshots.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';
import { day, define, load, PROJECT, range, rows } from './fixture.js';

/**
 * A former power user, explained: when they were one (the stored weekly snapshots) and what
 * changed since, instead of "not yet".
 *
 * Definition: all of often (days_active >= 20 of 30) and broad (features >= 3).
 *   f1: days 1..33 (Mar 1 to Apr 2), three features a day (f_a, f_b, f_c, 3 events); then one f_a
 *       event on days 40, 45 and 50.
 *   n1: days 41..50, f_a only (never a power user).
 *
 * Weekly snapshots (Monday to Sunday, each scored as of its Sunday, 30-day window) of f1:
 *   week of Feb 23 (as of day 1):  1 day                      no
 *   Mar 2 (day 8): 8; Mar 9 (day 15): 15                      no
 *   Mar 16 (day 22): 22 days                                  power
 *   Mar 23 (day 29): 29 days                                  power
 *   Mar 30 (day 36): days 7..33 = 27                          power
 *   Apr 6 (day 43): days 14..33 = 20, and day 40: 21 days;    power
 *                   events 20 * 3 + 1 = 61; criteria met 2 of 2
 *   Apr 13 (day 50): days 21..33 = 13, and 40, 45, 50: 16     no
 * As of day 50: 16 of 30 days, events 13 * 3 + 3 = 42, features 3 (f_a..f_c on days 21..33):
 * broad passes, often fails: 1 criterion of 2.
 */
const definition = define({
  rule: {
    all: [
      { id: 'often', signal: 'days_active', min: 20 },
      { id: 'broad', signal: 'features', min: 3 },
    ],
  },
});

let db: TempDb;
beforeAll(async () => {
  db = await openTempDb();
  await load(db, [
    ...rows('f1', range(1, 33), ['f_a', 'f_b', 'f_c']),
    ...rows('f1', [40, 45, 50], ['f_a']),
    ...rows('n1', range(41, 50), ['f_a']),
  ]);
  await runSnapshots(db.engine, {
    projectId: PROJECT,
    definition,
    segments: [],
    period: 'week',
    from: day(1),
    asOf: day(50),
  });
});
afterAll(async () => {
  await db.cleanup();
});

const explain = (userId: string, asOf: string) =>
  explainUser(db.engine, { projectId: PROJECT, userId, definition, asOf, period: 'week' });

describe('explain of a former power user', () => {
  it('says when they were one and what changed since', async () => {
    const f1 = await explain('f1', day(50));
    expect(f1.is_power_user).toBe(false);
    expect(f1.signals.days_active).toBe(16);
    expect(f1.signals.events).toBe(42);
    expect(f1.former_power_user).toEqual({
      period: 'week',
      from: '2026-03-16',
      to: '2026-04-06',
      as_of: '2026-04-12',
      snapshot: expect.objectContaining({
        days_active: 21,
        events: 61,
        criteria_met: 2,
        criteria_total: 2,
      }),
    });
    expect(f1.reason).toBe(
      'no longer a power user: was one in the weeks of 2026-03-16 to 2026-04-06; since then days active fell from 21 to 16 of 30, events fell from 61 to 42, criteria met fell from 2 to 1 of 2; now: active 16 of 30 days, needs 20',
    );
  });

  it('keeps "not yet" for someone who never was one', async () => {
    const n1 = await explain('n1', day(50));
    expect(n1.former_power_user).toBeNull();
    expect(n1.reason).toMatch(/^not yet: /);
  });

  it('says they were one when they are not active in the window at all', async () => {
    await expect(explain('f1', day(85))).rejects.toThrow(
      `user "f1" was not active in the 30 days to ${day(85)}`,
    );
    await expect(explain('f1', day(85))).rejects.toThrow(
      '(seen 2026-03-01 to 2026-04-19; a power user in the weeks of 2026-03-16 to 2026-04-06)',
    );
  });
});
