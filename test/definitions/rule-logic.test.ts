import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DefinitionInput } from '../../src/model/definition.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';
import { at, day, define, load, powerIds, range, rows, score, user } from './fixture.js';

/**
 * all of:
 *   often:    days_active, min_share 2/3   (20 of 30 days; 5 of 7)
 *   breadth:  any of features >= 3, collaboration >= 2
 *   habit:    at least 2 of: recent (days_since_last_seen <= 2), feedback >= 1, events top 60%
 */
const RULE: DefinitionInput = {
  rule: {
    all: [
      { id: 'often', signal: 'days_active', min_share: 2 / 3 },
      {
        id: 'breadth',
        any: [
          { signal: 'features', min: 3 },
          { signal: 'collaboration', min: 2 },
        ],
      },
      {
        id: 'habit',
        at_least: 2,
        of: [
          { id: 'recent', signal: 'days_since_last_seen', max: 2 },
          { signal: 'feedback', min: 1 },
          { signal: 'events', top_percent: 60 },
        ],
      },
    ],
  },
};

/**
 *   user  days    per day         extra                   days  features  collab  since  feedback  events
 *   x1    11..30  a, b, c                                 20    3         0       0      0         60
 *   x2    12..30  a, b, c         bug_reported on 20      19    4         0       0      1         58
 *   x3    11..30  a               bug_reported on 18      20    2         0       0      1         21
 *   x4     1..20  a, b, c                                 20    3         0       10     0         60
 *   x5    11..30  a, a, a, a      team_shared x2 on 15    20    2         2       0      0         82
 *
 * events top share: 82 -> 0.2, 60 -> 0.6 (x1, x4), 58 -> 0.8, 21 -> 1.0; top 60% = x5, x1, x4.
 */
let db: TempDb;
beforeAll(async () => {
  db = await openTempDb();
  const abc = ['feature_a', 'feature_b', 'feature_c'];
  await load(db, [
    ...rows('x1', range(11, 30), abc),
    ...rows('x2', range(12, 30), abc),
    at('x2', 20, '14:00:00', 'bug_reported'),
    ...rows('x3', range(11, 30), ['feature_a']),
    at('x3', 18, '14:00:00', 'bug_reported'),
    ...rows('x4', range(1, 20), abc),
    ...rows('x5', range(11, 30), ['feature_a', 'feature_a', 'feature_a', 'feature_a']),
    at('x5', 15, '14:00:00', 'team_shared'),
    at('x5', 15, '14:01:00', 'team_shared'),
  ]);
});
afterAll(async () => {
  await db.cleanup();
});

const IDS = ['often', 'features', 'collaboration', 'recent', 'feedback', 'events'];

describe('all, any and at_least', () => {
  it('needs every item of all, one of any, k of at_least', async () => {
    const users = await score(db, define(RULE), day(30));
    // x2 misses often (19 < 20); x3 misses breadth (2 features, 0 shares); x4 has 1 of 3 habits
    // (60 events, top 60%; last seen 10 days ago; no feedback). x5 passes breadth by sharing.
    expect(powerIds(users)).toEqual(['x1', 'x5']);
    expect(
      ['x1', 'x2', 'x3', 'x4', 'x5'].map((id) => user(users, id).criteria.map((c) => c.passed)),
    ).toEqual([
      [true, true, false, true, false, true],
      [false, true, false, true, true, false],
      [true, false, false, true, true, false],
      [true, true, false, false, false, true],
      [true, false, true, true, false, true],
    ]);
    expect(user(users, 'x1').criteria.map((c) => c.id)).toEqual(IDS);
  });

  it('flags the criteria that decided: passing paths for power users, failures for others', async () => {
    const users = await score(db, define(RULE), day(30));
    const decisive = (id: string) =>
      user(users, id)
        .criteria.filter((c) => c.decisive)
        .map((c) => c.id);
    // Power: every criterion on a passing path, not the failed ones beside it.
    expect(decisive('x1')).toEqual(['often', 'features', 'recent', 'events']);
    expect(decisive('x5')).toEqual(['often', 'collaboration', 'recent', 'events']);
    // Not power: only the failed branch of the all; inside a failed any, every child; inside a
    // failed at_least, the failed children.
    expect(decisive('x2')).toEqual(['often']);
    expect(decisive('x3')).toEqual(['features', 'collaboration']);
    expect(decisive('x4')).toEqual(['recent', 'feedback']);
  });

  it('says the decisive criteria in one sentence, with the rank when in the top half', async () => {
    const users = await score(db, define(RULE), day(30));
    const reason = (id: string) => user(users, id).reason;
    // x1's ranks: 20 days top 80% (4 of 5 have 20+), 3 features top 60%, last day top 80%,
    // 60 events top 60%: none in the top half, so no "(top X%)".
    expect(reason('x1')).toBe(
      'active 20 of 30 days; 3 features used; seen on the last day; 60 events',
    );
    // x5 is the only sharer (top 1 of 5) and has the most events.
    expect(reason('x5')).toBe(
      'active 20 of 30 days; invited or shared 2 times (top 20%); seen on the last day; 82 events (top 20%)',
    );
    expect(reason('x2')).toBe('not yet: active 19 of 30 days, needs 20');
    expect(reason('x3')).toBe(
      'not yet: 2 features used, needs 3; invited or shared 0 times, needs 2',
    );
    expect(reason('x4')).toBe(
      'not yet: last seen 10 days before the last day, needs at most 2; 0 feedback items, needs 1',
    );
  });

  it('scores how far past the bars a power user is, and how far along the rest are, power users above them', async () => {
    const users = await score(db, define(RULE), day(30));
    // A power user: each criterion's ratio (1 + value) / (1 + bar), or (1 + bar) / (1 + value) for
    // a max; the bar of "events top 60%" is the weakest value in it, 60 (x1, x4). g is the
    // geometric mean of the six ratios; the score is 50 + 50 * g / (1 + g).
    //   x1: often 21/21, features 4/4, shares 1/3, recent 3/1, feedback 1/2, events 61/61
    //       product 0.5, g = 0.8909: 50 + 23.56 = 73.6
    //   x5: 21/21, 3/4, 3/3, 3/1, 1/2, 83/61: product 1.5307, g = 1.0735: 50 + 25.89 = 75.9
    // Anyone else: 50 * attainment, each criterion's value over its bar capped at 1 (top 60%:
    // (1 - top share) / 0.4; max 2: 2 / value), all = the mean of its three parts, any = the
    // best, at_least 2 = the mean of the best two.
    //   x2: often 19/20 = 0.95; breadth max(4/3 -> 1, 0) = 1; habit best two of (1, 1, 0.5) = 1
    //       mean 0.9833: 49.2
    //   x3: often 1; breadth max(2/3, 0) = 0.667; habit best two of (1, 1, 0) = 1: 0.8889: 44.4
    //   x4: often 1; breadth 1; habit best two of (2/10, 0, 1) = 0.6: 0.8667: 43.3
    // x2 misses only one day of "often" and scores highest of those who are not power users.
    expect(['x5', 'x1', 'x2', 'x3', 'x4'].map((id) => user(users, id).score)).toEqual([
      75.9, 73.6, 49.2, 44.4, 43.3,
    ]);
    // The verdict's halves: every power user at 50 or above, everyone else below.
    const all = [...users.values()];
    const lowestPower = Math.min(...all.filter((u) => u.is_power_user).map((u) => u.score));
    const highestOther = Math.max(...all.filter((u) => !u.is_power_user).map((u) => u.score));
    expect(lowestPower).toBeGreaterThanOrEqual(50);
    expect(highestOther).toBeLessThan(50);
  });
});

describe('min_share and max', () => {
  it('resolves two thirds of 30 days to 20 and of 7 days to 5', async () => {
    const often = async (asOf: string, windowDays?: number) => {
      const users = await score(db, define(RULE, windowDays), asOf);
      const c = user(users, 'x2').criteria.find((k) => k.id === 'often');
      return [c?.op, c?.threshold, c?.value, c?.passed];
    };
    expect(await often(day(30))).toEqual(['min_share', 20, 19, false]);
    // 7 days to the 16th (10..16): x2, active from the 12th, has 5 of them; to the 15th, 4.
    expect(await often(day(16), 7)).toEqual(['min_share', 5, 5, true]);
    expect(await often(day(15), 7)).toEqual(['min_share', 5, 4, false]);
  });

  it('passes max at the bar and reports the bar as the threshold', async () => {
    const users = await score(
      db,
      define({ rule: { id: 'recent', signal: 'days_since_last_seen', max: 10 } }),
      day(30),
    );
    // x4 last seen on the 20th: 10 days, exactly the bar.
    const c = user(users, 'x4').criteria[0];
    expect([c?.op, c?.threshold, c?.value, c?.passed]).toEqual(['max', 10, 10, true]);
    expect(powerIds(users)).toEqual(['x1', 'x2', 'x3', 'x4', 'x5']);
  });
});
