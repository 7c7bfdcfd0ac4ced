import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DefinitionInput } from '../../src/model/definition.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';
import { day, define, load, powerIds, rows, score, user } from './fixture.js';

/**
 * Five users (one task_done event per row):
 *
 *   user  days            per day  days_active  key_actions  days_since_last_seen
 *   w1    26..30          1        5            5            0
 *   w2    21..24          3        4            12           6
 *   w3    28, 29          2        2            4            1
 *   w4    10, 20          1        2            2            10
 *   w5    30              1        1            1            0
 *
 * percent_rank = (rank - 1) / (n - 1), ties at the lowest rank, best value ranked highest:
 *   days_active:  1 -> 0, 2 -> 0.25 (w3, w4), 4 -> 0.75, 5 -> 1
 *   key_actions:  1 -> 0, 2 -> 0.25, 4 -> 0.5, 5 -> 0.75, 12 -> 1
 *   days_since_last_seen (lower is better): 10 -> 0, 6 -> 0.25, 1 -> 0.5, 0 -> 0.75 (w1, w5)
 *
 * Weights 3, 1, 1: weighted rank = 100 * (3 * days + keys + recency) / 5
 *   w1 (3 + 0.75 + 0.75) / 5 = 90; w2 (2.25 + 1 + 0.25) / 5 = 70; w3 (0.75 + 0.5 + 0.5) / 5 = 35;
 *   w4 (0.75 + 0.25 + 0) / 5 = 20; w5 (0 + 0 + 0.75) / 5 = 15
 *
 * The score puts the weighted rank r on the verdict's halves, with c the weighted rank at the cut:
 * a power user 50 + 50 * (r - c) / (100 - c), anyone else 50 * r / c.
 */
let db: TempDb;
beforeAll(async () => {
  db = await openTempDb();
  const task = (n: number) => Array.from({ length: n }, () => 'task_done');
  await load(db, [
    ...rows('w1', [26, 27, 28, 29, 30], task(1)),
    ...rows('w2', [21, 22, 23, 24], task(3)),
    ...rows('w3', [28, 29], task(2)),
    ...rows('w4', [10, 20], task(1)),
    ...rows('w5', [30], task(1)),
  ]);
});
afterAll(async () => {
  await db.cleanup();
});

const composite = (cutoff: { min_score: number } | { top_percent: number }): DefinitionInput => ({
  score: { weights: { days_active: 3, key_actions: 1, days_since_last_seen: 1 }, cutoff },
});

describe('a weighted composite score', () => {
  it('is the weighted mean of percentile ranks, recency ranked the other way', async () => {
    const users = await score(db, define(composite({ min_score: 35 })), day(30));
    // c = 35. Power users w1 50 + 50 * 55 / 65 = 92.3, w2 50 + 50 * 35 / 65 = 76.9, w3 (at the
    // cut) 50; the others w4 50 * 20 / 35 = 28.6, w5 50 * 15 / 35 = 21.4. The order is the
    // weighted rank's, and every power user is above every other user.
    expect(['w1', 'w2', 'w3', 'w4', 'w5'].map((id) => user(users, id).score)).toEqual([
      92.3, 76.9, 50, 28.6, 21.4,
    ]);
    expect(user(users, 'w1').criteria).toEqual([]);
    // Contributions show the "top X%" rank (cume_dist): w1's 5 days 1/5; 5 key actions 2/5
    // (w2 has more); 0 days since last seen 2/5 (tied with w5).
    expect(user(users, 'w1').contributions).toEqual([
      { signal: 'days_active', weight: 3, value: 5, top_percent: 20 },
      { signal: 'key_actions', weight: 1, value: 5, top_percent: 40 },
      { signal: 'days_since_last_seen', weight: 1, value: 0, top_percent: 40 },
    ]);
  });

  it('cuts off by min_score, the bar itself included', async () => {
    const users = await score(db, define(composite({ min_score: 35 })), day(30));
    expect(powerIds(users)).toEqual(['w1', 'w2', 'w3']);
    expect(user(users, 'w1').reason).toBe(
      'weighted rank 90 (cut-off 35): active 5 of 30 days (top 20%); 5 key actions (top 40%); seen on the last day (top 40%)',
    );
    expect(powerIds(await score(db, define(composite({ min_score: 36 })), day(30)))).toEqual([
      'w1',
      'w2',
    ]);
  });

  it('cuts off by top_percent of scores', async () => {
    // Weighted ranks 90, 70, 35, 20, 15: top 40% is w1 and w2, top 20% only w1.
    const top40 = await score(db, define(composite({ top_percent: 40 })), day(30));
    expect(powerIds(top40)).toEqual(['w1', 'w2']);
    // The cut is the lowest weighted rank among the top 40%, c = 70: w1 50 + 50 * 20 / 30 = 83.3,
    // w2 50; w3 50 * 35 / 70 = 25.
    expect(['w1', 'w2', 'w3'].map((id) => user(top40, id).score)).toEqual([83.3, 50, 25]);
    expect(user(top40, 'w3').reason).toBe(
      // Ordered by rank, then weight; equal ones keep the definition's order.
      'weighted rank 35 (cut-off: top 40%): 4 key actions (top 60%); last seen 1 day before the last day (top 60%); active 2 of 30 days (top 80%)',
    );
    expect(powerIds(await score(db, define(composite({ top_percent: 20 })), day(30)))).toEqual([
      'w1',
    ]);
  });
});
