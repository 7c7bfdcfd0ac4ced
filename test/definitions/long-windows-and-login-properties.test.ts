import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readScoredUsers, scoreInto } from '../../src/analysis/score-users.js';
import { runImport } from '../../src/ingest/import/run-import.js';
import { runRollup } from '../../src/rollup/run-rollup.js';
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

describe('windows longer than 127 days', () => {
  it('count days active past the first 64-day word without overflowing', async () => {
    // Active every day from 2025-11-20 (day -100 from March 1st) to 2026-03-30: 131 days.
    await load(db, rows('u', range(-100, 30), ['x']));
    // A window holds min(window, 131) of those days.
    for (const [window, days] of [
      [128, 128],
      [200, 131],
      [366, 131],
    ] as const) {
      const users = await score(db, defaultDefinition(window), day(30));
      expect(user(users, 'u').signals.days_active).toBe(days);
    }
    const users = await score(db, defaultDefinition(100), day(30));
    expect(user(users, 'u').signals.days_active).toBe(100);
  });
});

describe('a login feature defined with a property condition', () => {
  it('makes its event name login-like: logins, not actions', async () => {
    const ndjson = [
      { user_id: 'u1', timestamp: '2026-03-01T10:00:00Z', event: 'auth', method: 'sso' },
      { user_id: 'u1', timestamp: '2026-03-01T11:00:00Z', event: 'auth', method: 'sso' },
      { user_id: 'u1', timestamp: '2026-03-01T12:00:00Z', event: 'report_created' },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    await runImport(db.engine, {
      path: db.file('e.ndjson', ndjson),
      projectId: PROJECT,
      timeZone: 'UTC',
      now: new Date('2026-12-31T00:00:00Z'),
    });
    const cat = catalogue({
      features: [{ name: 'sso_login', events: 'auth', where: { method: 'sso' }, tags: ['login'] }],
    });
    await runRollup(db.engine, {
      projectId: PROJECT,
      timeZone: 'UTC',
      sessionGapMinutes: 30,
      catalogue: cat,
    });
    const d = defaultDefinition();
    await scoreInto(db.engine, d, { projectId: PROJECT, asOf: day(1), catalogue: cat });
    const [u] = await readScoredUsers(db.engine, d);
    expect([u?.signals.actions, u?.signals.logins, u?.signals.features]).toEqual([1, 2, 1]);
  });
});
