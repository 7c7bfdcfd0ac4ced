import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAnalysis } from '../../src/analysis/run-analysis.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';
import {
  catalogue,
  day,
  defaultDefinition,
  load,
  PROJECT,
  range,
  rows,
  score,
  user,
} from './fixture.js';

let db: TempDb;
beforeEach(async () => {
  db = await openTempDb();
});
afterEach(async () => {
  await db.cleanup();
});

describe('the L7 curve with a window shorter than 7 days', () => {
  it('still counts everyone active in the last 7 days', async () => {
    // As of day 30: a is active on days 24..30 (7 of 7), b on days 24 and 25 only (2 of 7),
    // c on day 30 only (1 of 7). A 1-day window scores a and c; b is outside it.
    await load(db, [
      ...rows('a', range(24, 30), ['x']),
      ...rows('b', [24, 25], ['x']),
      ...rows('c', [30], ['x']),
    ]);
    const r = await runAnalysis(db.engine, {
      projectId: PROJECT,
      definition: defaultDefinition(1),
      asOf: day(30),
    });
    expect(r.totals.active_users).toBe(2);
    const l7 = new Map(r.curves.l7.map((p) => [p.days_active, p.users]));
    expect([l7.get(1), l7.get(2), l7.get(7)]).toEqual([1, 1, 1]);
    expect(r.curves.l7.reduce((n, p) => n + p.users, 0)).toBe(3);
  });
});

describe('a configured login feature', () => {
  it('is never breadth, even when its kind says advanced', async () => {
    await load(db, rows('u', range(1, 30), ['login', 'report_viewed']));
    const cat = catalogue({
      features: [{ name: 'login', events: 'login', kind: 'advanced', tags: ['login'] }],
    });
    const users = await score(db, defaultDefinition(), day(30), cat);
    const u = user(users, 'u').signals;
    // report_viewed (inferred, used by the only user: core); login is presence.
    expect([u.features, u.core_features, u.advanced_features, u.logins, u.actions]).toEqual([
      1, 1, 0, 30, 30,
    ]);
  });
});
