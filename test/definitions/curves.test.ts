import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAnalysis } from '../../src/analysis/run-analysis.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';
import { day, defaultDefinition, load, PROJECT, range, rows, score, user } from './fixture.js';

let db: TempDb;
beforeEach(async () => {
  db = await openTempDb();
  await load(db, [
    // a: every day of March, five features a day (only a uses the last four).
    ...rows('a', range(1, 30), [
      'view_item',
      'chart_edited',
      'filter_applied',
      'search_performed',
      'export_done',
    ]),
    ...rows('b', range(21, 30), ['view_item']),
    ...rows('c', [5, 10, 15], ['view_item']),
    ...rows('d', [1, 2], ['view_item']),
    ...rows('e', [23, 24, 29], ['view_item']),
    ...rows('f', [30], ['view_item']),
    // Never active in the window 2026-03-01..30: before it (Feb 23, 25; Feb 28) or after it.
    ...rows('g', [-5, -3], ['view_item']),
    ...rows('i', [0], ['view_item']),
    ...rows('h', [31], ['view_item']),
  ]);
});
afterEach(async () => {
  await db.cleanup();
});

const point = (days_active: number, users: number, power_users = 0) => ({
  days_active,
  users,
  power_users,
});

describe('the Power User Curve over 30 days to 2026-03-30', () => {
  it('counts each active user once in the bucket of their active days (L30)', async () => {
    const r = await runAnalysis(db.engine, {
      projectId: PROJECT,
      asOf: day(30),
      definition: defaultDefinition(),
    });
    // a..f are active in the window; g, i (before) and h (after) are not.
    expect(r.totals.active_users).toBe(6);
    expect(r.totals.users).toBe(9);
    // a passes: 30 >= 20 days; four features only a uses are advanced (1 user < 20% of 6 = 1.2);
    // 150 key actions, top 1/6 = 17% <= 20%. b (10 days) and the rest fail frequency.
    expect(r.totals.power_users).toBe(1);
    expect(r.curves.l30).toHaveLength(30);
    const nonZero = r.curves.l30.filter((p) => p.users > 0);
    // f: 1 day; d: 2; c (5, 10, 15) and e (23, 24, 29): 3; b (21..30): 10; a: 30.
    expect(nonZero).toEqual([point(1, 1), point(2, 1), point(3, 2), point(10, 1), point(30, 1, 1)]);
    expect(r.curves.l30[3]).toEqual(point(4, 0));
  });

  it('counts the last 7 days apart (L7), leaving out users not seen in them', async () => {
    const r = await runAnalysis(db.engine, {
      projectId: PROJECT,
      asOf: day(30),
      definition: defaultDefinition(),
    });
    expect(r.curves.l7).toHaveLength(7);
    // Last 7 days: 24..30. a 7, b 7, e 2 (24, 29), f 1; c and d none, so in no L7 bucket.
    expect(r.curves.l7).toEqual([
      point(1, 1),
      point(2, 1),
      point(3, 0),
      point(4, 0),
      point(5, 0),
      point(6, 0),
      point(7, 2, 1),
    ]);
    const users = await score(db, defaultDefinition(), day(30));
    expect(
      ['c', 'd', 'e'].map((id) => [
        user(users, id).signals.days_active,
        user(users, id).signals.days_active_7,
      ]),
    ).toEqual([
      [3, 0],
      [2, 0],
      [3, 2],
    ]);
  });

  it('scores only users active in the window', async () => {
    const users = await score(db, defaultDefinition(), day(30));
    expect([...users.keys()].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('follows a 7-day window (24..30): L30 has 7 buckets and fewer active users', async () => {
    const r = await runAnalysis(db.engine, {
      projectId: PROJECT,
      asOf: day(30),
      definition: defaultDefinition(7),
    });
    // Active on 24..30: a, b, e, f.
    expect(r.totals.active_users).toBe(4);
    expect(r.curves.l30).toEqual(r.curves.l7);
    expect(r.curves.l30.map((p) => p.users)).toEqual([1, 1, 0, 0, 0, 0, 2]);
    // a now fails: with 4 active users its features are core (1 user is not < 0.8) but depth is
    // top 1/4 = 25% > 20%, 0 invites, and 5 of 13 weeks (days 1..30 fall in weeks 0..4).
    expect(r.totals.power_users).toBe(0);
  });
});
