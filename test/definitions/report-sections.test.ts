import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/analysis/report-types.js';
import { runAnalysis } from '../../src/analysis/run-analysis.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';
import { day, define, load, PROJECT, rows } from './fixture.js';

/**
 * Five users; no feature is tagged key_action, so key actions are all non-login events (and
 * not views: none here):
 *
 *   user  events (days)                                   key_actions  days_active
 *   v0    login (30)                                      0            1
 *   v1    report_created (29)                              1            1
 *   v2    report_created (28, 30)                          2            2
 *   v3    chart_edited (20, 25, 30)                       3            3
 *   v4    report_created + chart_edited (10, 20)           4            2
 *
 * Definition: key_actions >= 3, so v3 and v4 are the power users.
 */
let db: TempDb;
let report: Report;
beforeAll(async () => {
  db = await openTempDb();
  await load(db, [
    ...rows('v0', [30], ['login']),
    ...rows('v1', [29], ['report_created']),
    ...rows('v2', [28, 30], ['report_created']),
    ...rows('v3', [20, 25, 30], ['chart_edited']),
    ...rows('v4', [10, 20], ['report_created', 'chart_edited']),
  ]);
  report = await runAnalysis(db.engine, {
    projectId: PROJECT,
    asOf: day(30),
    definition: define({ rule: { signal: 'key_actions', min: 3 } }),
  });
});
// One fixture for the whole file: the tests only read the report.
afterAll(async () => {
  await db.cleanup();
});

describe('concentration of key actions', () => {
  it('gives the share of the top 1, 5, 10 and 20% of users, at least one user each', async () => {
    // 10 key actions in all. Top p% of 5 users = ceil(p * 5 / 100) = 1 user for every p: v4's 4.
    expect(report.concentration.total).toBe(10);
    expect(report.concentration.top).toEqual([
      { top_percent: 1, share: 0.4 },
      { top_percent: 5, share: 0.4 },
      { top_percent: 10, share: 0.4 },
      { top_percent: 20, share: 0.4 },
    ]);
  });

  it('draws the Lorenz curve from the least active users up', async () => {
    // Ascending 0, 1, 2, 3, 4; running sums 0, 1, 3, 6, 10. At x% the first floor(x * 5 / 100)
    // users: 0..15% none, 20..35% one (0), 40..55% two (1/10), 60..75% three (3/10),
    // 80..95% four (6/10), 100% all.
    const four = (v: number) => [v, v, v, v];
    expect(report.concentration.lorenz.map((l) => l.users_percent)).toEqual(
      Array.from({ length: 21 }, (_, i) => i * 5),
    );
    expect(report.concentration.lorenz.map((l) => l.actions_share)).toEqual([
      ...four(0),
      ...four(0),
      ...four(0.1),
      ...four(0.3),
      ...four(0.6),
      1,
    ]);
  });

  it('computes the Gini coefficient', async () => {
    // sum(i * v) = 1*0 + 2*1 + 3*2 + 4*3 + 5*4 = 40; G = 2 * 40 / (5 * 10) - 6 / 5 = 0.4.
    expect(report.concentration.gini).toBeCloseTo(0.4, 12);
  });
});

describe('power users against everyone else', () => {
  it('counts the power users', async () => {
    expect(report.totals.active_users).toBe(5);
    expect(report.totals.power_users).toBe(2);
    expect(report.totals.power_user_share).toBe(0.4);
    expect(report.top_power_users.map((u) => u.user_id)).toEqual(['v4', 'v3']);
  });

  it('gives each group the median and mean of every signal', async () => {
    const of = (signal: string) => {
      const s = report.power_vs_everyone_else.find((g) => g.signal === signal);
      return [
        s?.power_users_median,
        s?.power_users_mean,
        s?.everyone_else_median,
        s?.everyone_else_mean,
      ];
    };
    // Power v3, v4; everyone else v0, v1, v2.
    // key_actions: [3, 4] and [0, 1, 2].
    expect(of('key_actions')).toEqual([3.5, 3.5, 1, 1]);
    // days_active: [3, 2] and [1, 1, 2] (mean 4/3).
    expect(of('days_active')).toEqual([2.5, 2.5, 1, 4 / 3]);
    // logins: only v0 logs in.
    expect(of('logins')).toEqual([0, 0, 0, 1 / 3]);
  });
});

describe('feature adoption', () => {
  it('shares of power users and of everyone else using each feature, biggest gap first', () => {
    expect(
      report.feature_adoption.map((f) => [
        f.feature,
        f.kind,
        f.users,
        f.power_users,
        f.everyone_else,
        f.power_users_share,
        f.everyone_else_share,
      ]),
    ).toEqual([
      // v3, v4 of 2 power users; none of the other 3: gap +1.
      ['chart_edited', 'core', 2, 2, 0, 1, 0],
      // v4 of 2; v1, v2 of 3: gap 0.5 - 0.667 = -0.167.
      ['report_created', 'core', 3, 1, 2, 0.5, 2 / 3],
      // v0 of 3: gap -0.333.
      ['login', 'login', 1, 0, 1, 0, 1 / 3],
    ]);
  });
});
