import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignalName } from '../../src/model/signals.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';
import { day, define, load, powerIds, rows, score, user } from './fixture.js';

/**
 * Ten users, each active on one day only, doing `n` actions that day:
 *
 *   user   events  last day  days_since_last_seen
 *   u01    10      30        0
 *   u02     9      30        0
 *   u03     9      29        1
 *   u04     5      28        2
 *   u05     4      28        2
 *   u06     3      25        5
 *   u07     2      20        10
 *   u08     1      10        20
 *   u09     1       5        25
 *   u10     1       1        29
 *
 * Top share = share of users with a value at least as good (cume_dist):
 *   events (higher is better): 10 -> 0.1, 9 -> 0.3, 5 -> 0.4, 4 -> 0.5, 3 -> 0.6, 2 -> 0.7, 1 -> 1.0
 *   days_since_last_seen (lower is better): 0 -> 0.2, 1 -> 0.3, 2 -> 0.5, 5 -> 0.6, 10 -> 0.7,
 *   20 -> 0.8, 25 -> 0.9, 29 -> 1.0
 */
const PLAN: Array<[string, number, number]> = [
  ['u01', 10, 30],
  ['u02', 9, 30],
  ['u03', 9, 29],
  ['u04', 5, 28],
  ['u05', 4, 28],
  ['u06', 3, 25],
  ['u07', 2, 20],
  ['u08', 1, 10],
  ['u09', 1, 5],
  ['u10', 1, 1],
];

let db: TempDb;
beforeEach(async () => {
  db = await openTempDb();
  await load(
    db,
    PLAN.flatMap(([u, n, d]) =>
      rows(
        u,
        [d],
        Array.from({ length: n }, () => 'task_done'),
      ),
    ),
  );
});
afterEach(async () => {
  await db.cleanup();
});

const topOf = (signal: SignalName, top_percent: number) =>
  define({ rule: { signal, top_percent } });

describe('top_percent on a higher-is-better signal (events)', () => {
  it('leaves out every tied user when the ties straddle the cut', async () => {
    // Top 20% of 10 = 2 users, but 2nd and 3rd place tie at 9: both are top 30%, both out.
    const users = await score(db, topOf('events', 20), day(30));
    expect(powerIds(users)).toEqual(['u01']);
    expect(
      ['u01', 'u02', 'u03'].map((id) => {
        const c = user(users, id).criteria[0];
        return [c?.value, c?.top_percent, c?.passed];
      }),
    ).toEqual([
      [10, 10, true],
      [9, 30, false],
      [9, 30, false],
    ]);
    // Top 25%: the cut falls inside the same tie; still only u01.
    expect(powerIds(await score(db, topOf('events', 25), day(30)))).toEqual(['u01']);
  });

  it('takes every tied user when the ties end exactly at the cut', async () => {
    // 3 of 10 users have 9 or more events: top 30% is exactly u01, u02, u03.
    expect(powerIds(await score(db, topOf('events', 30), day(30)))).toEqual(['u01', 'u02', 'u03']);
    // 10% is one user: u01 (top share 0.1 <= 0.1).
    expect(powerIds(await score(db, topOf('events', 10), day(30)))).toEqual(['u01']);
  });

  it('ranks the bottom ties together at top 100% and scores how far up each user is', async () => {
    const users = await score(db, topOf('events', 20), day(30));
    expect(['u08', 'u09', 'u10'].map((id) => user(users, id).criteria[0]?.top_percent)).toEqual([
      100, 100, 100,
    ]);
    // The bar of a top_percent criterion is the value at the cut: u01's 10 events (the only
    // one in the top 20%). A power user scores 50 + 50 * g / (1 + g) with g = (1 + value) /
    // (1 + bar): u01 g = 1 -> 75. Anyone else 50 * attainment, how far up the ranking they are,
    // (1 - top share) / (1 - 0.2): u04 0.6 / 0.8 -> 37.5; u07 0.3 / 0.8 -> 18.75, shown 18.8;
    // u10, at the bottom, 0.
    expect(['u01', 'u04', 'u07', 'u10'].map((id) => user(users, id).score)).toEqual([
      75, 37.5, 18.8, 0,
    ]);
  });
});

describe('a lower-is-better signal (days_since_last_seen)', () => {
  it('ranks the most recent users first, ties shared', async () => {
    // 0 days: u01, u02 = 2 of 10 = top 20%, exactly at the cut.
    expect(powerIds(await score(db, topOf('days_since_last_seen', 20), day(30)))).toEqual([
      'u01',
      'u02',
    ]);
    // Top 40%: u03 (1 day, top 30%) is in; u04 and u05 tie at 2 days = top 50%, both out.
    const users = await score(db, topOf('days_since_last_seen', 40), day(30));
    expect(powerIds(users)).toEqual(['u01', 'u02', 'u03']);
    expect(
      ['u03', 'u04', 'u05', 'u10'].map((id) => [
        user(users, id).signals.days_since_last_seen,
        user(users, id).criteria[0]?.top_percent,
      ]),
    ).toEqual([
      [1, 30],
      [2, 50],
      [2, 50],
      [29, 100],
    ]);
    // Not a power user: 50 * attainment, (1 - top share) / (1 - 0.4); u06 (5 days, top 60%):
    // 0.4 / 0.6 -> 33.3.
    expect(user(users, 'u06').score).toBe(33.3);
  });

  it('says what a recent user does and what a lapsed one misses', async () => {
    const users = await score(db, topOf('days_since_last_seen', 40), day(30));
    expect(user(users, 'u01').reason).toBe('seen on the last day (top 20%)');
    expect(user(users, 'u04').reason).toBe(
      'not yet: last seen 2 days before the last day, needs the top 40%',
    );
  });

  it('compares with max as an absolute threshold', async () => {
    const users = await score(
      db,
      define({ rule: { signal: 'days_since_last_seen', max: 2 } }),
      day(30),
    );
    expect(powerIds(users)).toEqual(['u01', 'u02', 'u03', 'u04', 'u05']);
    // A power user on a max criterion: g = (1 + threshold) / (1 + value) = 3 / (1 + value);
    // u05 (2, at the bar) g = 1 -> 50 + 25 = 75. Anyone else 50 * attainment, threshold / value:
    // u06 2/5 -> 20; u07 2/10 -> 10; u10 2/29 -> 3.45, shown 3.4.
    expect(['u05', 'u06', 'u07', 'u10'].map((id) => user(users, id).score)).toEqual([
      75, 20, 10, 3.4,
    ]);
    expect(user(users, 'u06').reason).toBe(
      'not yet: last seen 5 days before the last day, needs at most 2',
    );
  });
});
