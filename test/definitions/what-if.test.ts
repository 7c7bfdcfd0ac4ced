import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAnalysis } from '../../src/analysis/run-analysis.js';
import { scoreInto } from '../../src/analysis/score-users.js';
import { compareScorings } from '../../src/analysis/what-if.js';
import { ConfigSchema } from '../../src/model/config.js';
import { criteriaOf } from '../../src/model/definition.js';
import { resolveDefinition } from '../../src/model/resolve-definition.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';
import { at, day, load, PROJECT, range, rows } from './fixture.js';

/**
 * Seven users with the same five features every active day (all core); all but k6 invite three
 * teammates on the 30th (collaboration >= 3 passes the habit).
 *
 *   user  days    days_active  key actions (5 a day + 3 invites)
 *   k1    6..30   25           128
 *   k2    11..30  20           103
 *   k3    14..30  17           88
 *   k6    15..30  16           80 (no invites: top 4/7 for depth, 3 of 13 weeks: no habit)
 *   k4    16..30  15           78
 *   k5    17..30  14           73
 *   k7    28..30  3            18
 */
let db: TempDb;
beforeAll(async () => {
  db = await openTempDb();
  const five = ['f_one', 'f_two', 'f_three', 'f_four', 'f_five'];
  const plan: Array<[string, number, boolean]> = [
    ['k1', 6, true],
    ['k2', 11, true],
    ['k3', 14, true],
    ['k4', 16, true],
    ['k5', 17, true],
    ['k6', 15, false],
    ['k7', 28, true],
  ];
  await load(
    db,
    plan.flatMap(([u, from, invites]) => [
      ...rows(u, range(from, 30), five),
      ...(invites
        ? ['14:00:00', '14:01:00', '14:02:00'].map((t) => at(u, 30, t, 'teammate_invited'))
        : []),
    ]),
  );
});
afterAll(async () => {
  await db.cleanup();
});

const config = ConfigSchema.parse({});
const baseline = resolveDefinition(config);
const scope = { projectId: PROJECT, asOf: day(30) };

describe('what if days_active.min=15', () => {
  it('replaces the two-thirds share of the frequency criterion with a minimum of 15', () => {
    const changed = resolveDefinition(config, { set: ['days_active.min=15'] });
    if (changed.kind !== 'rule') throw new Error('expected a rule definition');
    const frequency = criteriaOf(changed.rule).find((c) => c.id === 'frequency');
    expect([frequency?.op, frequency?.value]).toEqual(['min', 15]);
  });

  it('counts who enters: the users with 15..19 days who pass the rest', async () => {
    await scoreInto(db.engine, baseline, scope, 'before_t');
    const changed = resolveDefinition(config, { set: ['days_active.min=15'] });
    await scoreInto(db.engine, changed, scope, 'after_t');
    // Before: k1, k2 (20+ days). After: also k3 (17) and k4 (15); k6 (16) has no habit, k5 has 14.
    // Entering order is the new score: k3 70.4 before k4 70 (below).
    expect(await compareScorings(db.engine, 'before_t', 'after_t')).toEqual({
      before: { power_users: 2, power_user_share: 2 / 7 },
      after: { power_users: 4, power_user_share: 4 / 7 },
      entering: 2,
      leaving: 0,
      entering_users: ['k3', 'k4'],
      leaving_users: [],
    });
    // Each criterion's ratio (1 + value) / (1 + bar): frequency 18/16 (k3) and 16/16 (k4); 6 core
    // features (the five and teammate_invited) 7/6; no advanced one 1/3; depth against the bar of
    // the top 20% (k1's 128 key actions) 89/129 and 79/129; 3 invites 4/4; 3 of 13 weeks 4/11.
    // g = the geometric mean of the six: k3 0.6919, k4 0.6652; power users score
    // 50 + 50 * g / (1 + g): k3 70.4, k4 70.0.
    const scores = await db.engine.query<{ user_id: string; score: number }>(
      "SELECT user_id, score FROM after_t WHERE user_id IN ('k3', 'k4') ORDER BY user_id",
    );
    expect(scores).toEqual([
      { user_id: 'k3', score: 70.4 },
      { user_id: 'k4', score: 70 },
    ]);
  });

  it('counts who leaves when the bar rises, in the report', async () => {
    const r = await runAnalysis(db.engine, {
      ...scope,
      definition: resolveDefinition(config, { set: ['days_active.min=22'] }),
      baseline,
    });
    // Only k1 (25 days) stays; k2 (20) leaves.
    expect(r.totals.power_users).toBe(1);
    expect(r.what_if).toEqual({
      before: { power_users: 2, power_user_share: 2 / 7 },
      after: { power_users: 1, power_user_share: 1 / 7 },
      entering: 0,
      leaving: 1,
      entering_users: [],
      leaving_users: ['k2'],
    });
  });
});
