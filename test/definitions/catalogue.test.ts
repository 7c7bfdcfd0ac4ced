import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signalsInput } from '../../src/analysis/score-users.js';
import { compileFeatures } from '../../src/sql/compile-features.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';
import { catalogue, day, defaultDefinition, load, PROJECT, rows, score, user } from './fixture.js';

const FEATURES = [
  // A glob and an exact name in one feature.
  { name: 'exports', events: ['export_*', 'report_downloaded'], kind: 'advanced' },
  // ? is one character: search_1, not search_10.
  { name: 'search', events: 'search_?' },
  // _ is literal: a_b, not axb.
  { name: 'underscore', events: 'a_b' },
  { name: 'autopilot', events: 'autopilot_run', released: '2026-03-10' },
  { name: 'entry', events: 'app_start', tags: ['login'] },
];
const IGNORE = catalogue({ features: FEATURES, unlisted_events: 'ignore', early_adoption_days: 7 });
const INFER = catalogue({ features: FEATURES, early_adoption_days: 7 });

/**
 * autopilot is released on the 10th; early adoption is a use on the 10th..16th (7 days).
 *
 * c1  5th: export_pdf, export_csv, report_downloaded, search_1, search_10, axb, a_b, app_start,
 *          random_thing; 12th: autopilot_run (early)
 * c2  20th: autopilot_run (too late), export_pdf
 * c3  8th: autopilot_run (before the release); 16th: autopilot_run (early), app_start
 * c4  17th: autopilot_run (the day after the early days)
 * c5  10th: autopilot_run (release day: early)
 */
let db: TempDb;
beforeAll(async () => {
  db = await openTempDb();
  await load(db, [
    ...rows(
      'c1',
      [5],
      [
        'export_pdf',
        'export_csv',
        'report_downloaded',
        'search_1',
        'search_10',
        'axb',
        'a_b',
        'app_start',
        'random_thing',
      ],
    ),
    ...rows('c1', [12], ['autopilot_run']),
    ...rows('c2', [20], ['autopilot_run', 'export_pdf']),
    ...rows('c3', [8], ['autopilot_run']),
    ...rows('c3', [16], ['autopilot_run', 'app_start']),
    ...rows('c4', [17], ['autopilot_run']),
    ...rows('c5', [10], ['autopilot_run']),
  ]);
});
afterAll(async () => {
  await db.cleanup();
});

const pick = <K extends string>(s: Record<K, number>, keys: K[]) => keys.map((k) => s[k]);

describe('a catalogue with unlisted_events: ignore', () => {
  it('maps events to features by glob and leaves unlisted events out of the features', async () => {
    const users = await score(db, defaultDefinition(), day(30), IGNORE);
    const c1 = user(users, 'c1').signals;
    // exports (advanced), search, underscore, autopilot; app_start is login; search_10, axb and
    // random_thing belong to no feature.
    expect(
      pick(c1, ['features', 'core_features', 'advanced_features', 'catalogue_coverage']),
    ).toEqual([4, 3, 1, 100]);
    // Ignored events are still events but not actions: 10 events - 1 login - 3 unlisted
    // (search_10, axb, random_thing).
    expect(pick(c1, ['events', 'logins', 'actions', 'key_actions'])).toEqual([10, 1, 6, 6]);
    expect(user(users, 'c1').advanced_features_used).toEqual(['exports']);
    // The catalogue is the 4 configured non-login features: c2 uses 2, c3 (autopilot) 1.
    expect(user(users, 'c2').signals.catalogue_coverage).toBe(50);
    expect(user(users, 'c3').signals.catalogue_coverage).toBe(25);
  });

  it('lists each feature with its events, users, kind and release', async () => {
    const { sql, params } = compileFeatures(
      {
        ...signalsInput(
          { projectId: PROJECT, asOf: day(30), catalogue: IGNORE },
          db.engine.dialect,
        ),
        windowDays: 30,
      },
      false,
    );
    const rows = await db.engine.query<Record<string, unknown>>(sql, params);
    expect(
      rows.map((r) => [
        r.feature,
        r.users,
        r.inferred,
        r.is_advanced,
        r.is_login,
        r.released,
        r.events,
      ]),
    ).toEqual([
      ['autopilot', 5, false, false, false, '2026-03-10', ['autopilot_run']],
      ['entry', 2, false, false, true, null, ['app_start']],
      ['exports', 2, false, true, false, null, ['export_csv', 'export_pdf', 'report_downloaded']],
      ['search', 1, false, false, false, null, ['search_1']],
      ['underscore', 1, false, false, false, null, ['a_b']],
    ]);
  });
});

describe('a catalogue with unlisted_events: infer', () => {
  it('makes every unlisted event a feature of its own', async () => {
    const users = await score(db, defaultDefinition(), day(30), INFER);
    // Plus search_10, axb, random_thing: 7 features, 6 core (1 user of 5 is not < 20% of 5).
    expect(
      pick(user(users, 'c1').signals, [
        'features',
        'core_features',
        'advanced_features',
        'catalogue_coverage',
      ]),
    ).toEqual([7, 6, 1, 100]);
    // c2 uses 2 of 7: 28.57.. -> 28.6.
    expect(user(users, 'c2').signals.catalogue_coverage).toBe(28.6);
  });
});

describe('early adoption', () => {
  it('counts a released feature used within early_adoption_days of its release', async () => {
    const users = await score(db, defaultDefinition(), day(30), IGNORE);
    // c1 on the 12th and c3 on the 16th (also before the release, which does not count);
    // c5 on the release day. c2 (20th) and c4 (17th, day 8 after) are too late.
    expect(
      ['c1', 'c2', 'c3', 'c4', 'c5'].map((id) => user(users, id).signals.early_adoptions),
    ).toEqual([1, 0, 1, 0, 1]);
  });
});
