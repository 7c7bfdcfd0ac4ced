import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAnalysis } from '../../src/analysis/run-analysis.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';
import { at, day, defaultDefinition, load, PROJECT, range, rows } from './fixture.js';

let db: TempDb;
beforeEach(async () => {
  db = await openTempDb();
  // One user, the only one: every day of March a login and five features one minute apart
  // (09:00..09:05), and on the 30th three invites in an afternoon session.
  await load(db, [
    ...rows('u1', range(1, 30), [
      'login',
      'report_viewed',
      'chart_edited',
      'filter_applied',
      'search_performed',
      'comment_added',
    ]),
    at('u1', 30, '15:00:00', 'teammate_invited'),
    at('u1', 30, '15:01:00', 'teammate_invited'),
    at('u1', 30, '15:02:00', 'teammate_invited'),
  ]);
});
afterEach(async () => {
  await db.cleanup();
});

const analyze = (asOf: string) =>
  runAnalysis(db.engine, { projectId: PROJECT, asOf, definition: defaultDefinition() });

describe('a window after the data', () => {
  it('reports no active user, every count zero, and where the data is', async () => {
    const r = await analyze('2026-06-30');
    expect(r.totals).toEqual({
      events: 30 * 6 + 3,
      users: 1,
      accounts: 1,
      first_day: '2026-03-01',
      last_day: '2026-03-30',
      active_users: 0,
      power_users: 0,
      power_user_share: 0,
    });
    expect(r.curves.l30).toHaveLength(30);
    expect(r.curves.l30.every((p) => p.users === 0 && p.power_users === 0)).toBe(true);
    expect(r.curves.l7.map((p) => p.users)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(r.concentration).toEqual({
      metric: 'key_actions',
      total: 0,
      top: [1, 5, 10, 20].map((p) => ({ top_percent: p, share: 0 })),
      lorenz: range(0, 20).map((i) => ({ users_percent: 5 * i, actions_share: 0 })),
      gini: 0,
    });
    const days = r.power_vs_everyone_else.find((s) => s.signal === 'days_active');
    expect(days).toEqual({
      signal: 'days_active',
      power_users_median: 0,
      power_users_mean: 0,
      everyone_else_median: 0,
      everyone_else_mean: 0,
    });
    expect(r.feature_adoption).toEqual([]);
    expect(r.top_power_users).toEqual([]);
  });
});

describe('exactly one user', () => {
  it('computes every signal of the only user by hand', async () => {
    const r = await analyze(day(30));
    expect(r.totals.active_users).toBe(1);
    const [u] = r.top_power_users;
    expect(u?.signals).toEqual({
      days_active: 30,
      days_active_7: 7,
      // (30 - d) // 7 for d = 1..30 takes the values 0..4.
      active_weeks: 5,
      // One 09:00 session a day plus the afternoon one.
      sessions: 31,
      // 9120 / 31 = 294.19.., rounded to tenths; the median of thirty 300s and one 120.
      session_seconds_mean: 294.2,
      session_seconds_median: 300,
      // 30 days * 5 gaps of 60 s + 2 gaps of 60 s in the afternoon.
      active_seconds: 9120,
      events: 183,
      actions: 153,
      logins: 30,
      // Five features plus teammate_invited; the only user uses all six, so none is advanced.
      features: 6,
      core_features: 6,
      advanced_features: 0,
      catalogue_coverage: 100,
      // No feature is tagged key_action: every action but the views (30 report_viewed).
      key_actions: 123,
      collaboration: 3,
      feedback: 0,
      optimization: 0,
      optimization_depth: 0,
      tenure_days: 29,
      days_since_last_seen: 0,
      // teammate_invited first shows up on the 30th, 29 days after the data start, but one use
      // in the last day has a chance of 1 in 30 for a feature there all along: not new.
      early_adoptions: 0,
      // Nothing in the 30 days before the window: no baseline, no trend (n/a), not +100.
      trend: null,
    });
  });

  it('ranks the only user top 100%, so a top-20% criterion fails and invites decide', async () => {
    const r = await analyze(day(30));
    expect(r.totals.power_users).toBe(1);
    expect(r.totals.power_user_share).toBe(1);
    const [u] = r.top_power_users;
    expect(u?.criteria.map((c) => [c.id, c.passed, c.top_percent, c.decisive])).toEqual([
      ['frequency', true, 100, true],
      ['core_features', true, 100, true],
      ['advanced_features', false, 100, false],
      ['depth', false, 100, false],
      ['collaboration', true, 100, true],
      ['consistency', false, 100, false],
    ]);
    // Margins ln((1 + value) / (1 + bar)): frequency 31/21, core 7/6, advanced 1/3, depth 1 (nobody
    // is in the top 20%, so the bar is the best value there is, the user's own 153), collaboration
    // 4/4, consistency 6/11. Their mean is ln of the geometric mean g = (31/99)^(1/6) = 0.8241; a
    // power user scores 50 + 50 * g / (1 + g) = 72.6.
    expect(u?.score).toBe(72.6);
    // Top 100% is not worth saying, so no "(top X%)".
    expect(u?.reason).toBe('active 30 of 30 days; 6 core features; invited or shared 3 times');
  });

  it('draws the report for one user', async () => {
    const r = await analyze(day(30));
    expect(r.curves.l30[29]).toEqual({ days_active: 30, users: 1, power_users: 1 });
    expect(r.curves.l7[6]).toEqual({ days_active: 7, users: 1, power_users: 1 });
    // One user makes every key action: each top share is all of them, and no inequality.
    expect(r.concentration.total).toBe(123);
    expect(r.concentration.top.map((t) => t.share)).toEqual([1, 1, 1, 1]);
    expect(r.concentration.lorenz.map((l) => l.actions_share)).toEqual([
      ...range(0, 19).map(() => 0),
      1,
    ]);
    expect(r.concentration.gini).toBe(0);
    const weeks = r.power_vs_everyone_else.find((s) => s.signal === 'active_weeks');
    expect([weeks?.power_users_median, weeks?.everyone_else_median]).toEqual([5, 0]);
    expect(
      r.feature_adoption.map((f) => [f.feature, f.kind, f.users, f.power_users_share]),
    ).toEqual([
      ['chart_edited', 'core', 1, 1],
      ['comment_added', 'core', 1, 1],
      ['filter_applied', 'core', 1, 1],
      ['login', 'login', 1, 1],
      ['report_viewed', 'core', 1, 1],
      ['search_performed', 'core', 1, 1],
      ['teammate_invited', 'core', 1, 1],
    ]);
    expect(
      r.feature_adoption.every((f) => f.everyone_else === 0 && f.everyone_else_share === 0),
    ).toBe(true);
  });
});
