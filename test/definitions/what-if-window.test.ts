import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAnalysis } from '../../src/analysis/run-analysis.js';
import { ConfigSchema } from '../../src/model/config.js';
import { resolveDefinition } from '../../src/model/resolve-definition.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';
import { at, day, load, PROJECT, range, rows } from './fixture.js';

/**
 * A what-if that changes the window changes who is active, so users can enter or leave by
 * entering or leaving the window. Five features a day; invites are 3 teammate_invited events.
 *
 *   user  days    invites  30 days to the 30th          7 days (24..30; 5 days needed)
 *   m1    1..22   on 22    22 days: power               not active: leaves
 *   m2    6..30   on 30    25 days: power               7 days: power
 *   m3    26..30  on 30    5 days: no                   5 days: power (enters)
 *   m4    29, 30  none     2 days: no                   2 days: no
 */
let db: TempDb;
beforeAll(async () => {
  db = await openTempDb();
  const five = ['f_one', 'f_two', 'f_three', 'f_four', 'f_five'];
  const invites = (u: string, d: number) =>
    ['14:00:00', '14:01:00', '14:02:00'].map((t) => at(u, d, t, 'teammate_invited'));
  await load(db, [
    ...rows('m1', range(1, 22), five),
    ...invites('m1', 22),
    ...rows('m2', range(6, 30), five),
    ...invites('m2', 30),
    ...rows('m3', range(26, 30), five),
    ...invites('m3', 30),
    ...rows('m4', [29, 30], five),
  ]);
});
afterAll(async () => {
  await db.cleanup();
});

describe('what if window_days=7', () => {
  it('counts a power user who is not active in the new window as leaving', async () => {
    const config = ConfigSchema.parse({});
    const r = await runAnalysis(db.engine, {
      projectId: PROJECT,
      asOf: day(30),
      definition: resolveDefinition(config, { set: ['window_days=7'] }),
      baseline: resolveDefinition(config),
    });
    expect(r.totals.active_users).toBe(3);
    expect(r.totals.power_users).toBe(2);
    // Before: m1, m2 of 4 active users; after: m2, m3 of 3.
    expect(r.what_if).toEqual({
      before: { power_users: 2, power_user_share: 0.5 },
      after: { power_users: 2, power_user_share: 2 / 3 },
      entering: 1,
      leaving: 1,
      entering_users: ['m3'],
      leaving_users: ['m1'],
    });
  });
});
