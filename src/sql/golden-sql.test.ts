import { describe, expect, it } from 'vitest';
import {
  COLLABORATION_LIKE,
  FEEDBACK_LIKE,
  LOGIN_LIKE,
  OPTIMIZATION_LIKE,
  VIEW_LIKE,
} from '../analysis/catalogue-rules.js';
import { duckdb } from '../dialect/duckdb.js';
import type { SqlParams } from '../dialect/sql-value.js';
import { CatalogueSchema } from '../model/catalogue.js';
import { ConfigSchema } from '../model/config.js';
import type { Definition, DefinitionInput } from '../model/definition.js';
import { resolveDefinition } from '../model/resolve-definition.js';
import { compileActiveUsers } from './compile-active-users.js';
import { compileDataRange } from './compile-data-range.js';
import { compileFeatures, compileUserFeatures } from './compile-features.js';
import {
  compileConcentrationTop,
  compileCurve,
  compileGini,
  compileGroupStats,
  compileLorenz,
} from './compile-report.js';
import {
  compileCachedReport,
  compileForgetReport,
  compileRollupStamp,
  compileTrimReports,
} from './compile-report-cache.js';
import { compileReportTotals } from './compile-report-totals.js';
import { compileRollup } from './compile-rollup.js';
import { compileScore } from './compile-score.js';
import { compileScoredPage, compileScoredUsers } from './compile-scored-users.js';
import { compileSignals } from './compile-signals.js';
import { compileUserActivity, compileUserSeen } from './compile-user-activity.js';
import { compileUserSnapshots } from './compile-user-snapshots.js';
import { compileWhatIf } from './compile-what-if.js';

/*
 * Golden SQL: the exact text each compile function produces, pinned in src/sql/__golden__/.
 * After an intended change to a compiler, update the files with
 *   npx vitest run -u src/sql/golden-sql.test.ts
 * and review the diff of __golden__/ like any other code change before committing it: every
 * changed line is a change to what runs against users' data.
 */

const golden = (name: string) => `./__golden__/${name}.sql`;

// Caller-provided values, chosen so that none can appear in SQL text by accident.
const PROJECT = 'proj_golden_q7';
const AS_OF = '2031-07-19';
const RELEASED = '2031-06-02';

const EMPTY = CatalogueSchema.parse({});
const RICH = CatalogueSchema.parse({
  unlisted_events: 'ignore',
  advanced_below_percent: 15,
  early_adoption_days: 9,
  features: [
    { name: "O'Brien exports", events: ['export_*', 'pdf_exp?rt'], tags: ['key_action'] },
    { name: 'team_invites', events: 'invite_sent_zz', tags: ['collaboration'] },
    { name: 'bug_box', events: 'bug_filed_zz', tags: ['feedback'], kind: 'advanced' },
    { name: 'auto_pilot', events: 'autopilot_on_zz', released: RELEASED, kind: 'advanced' },
    { name: 'entry_zz', events: ['signin_zz'], tags: ['login'] },
  ],
});
/** Everything above that came from the caller and must only reach the engine as a parameter. */
const USER_VALUES = [
  PROJECT,
  AS_OF,
  RELEASED,
  "O'Brien exports",
  'export_*',
  'export\\_%',
  'pdf_exp?rt',
  'pdf\\_exp_rt',
  'team_invites',
  'invite_sent_zz',
  'bug_box',
  'bug_filed_zz',
  'auto_pilot',
  'autopilot_on_zz',
  'entry_zz',
  'signin_zz',
  LOGIN_LIKE,
  COLLABORATION_LIKE,
  FEEDBACK_LIKE,
];

const signalsFor = (catalogue: typeof EMPTY) => ({
  projectId: PROJECT,
  asOf: AS_OF,
  catalogue,
  loginPattern: LOGIN_LIKE,
  collaborationPattern: COLLABORATION_LIKE,
  feedbackPattern: FEEDBACK_LIKE,
  viewPattern: VIEW_LIKE,
  optimizationPattern: OPTIMIZATION_LIKE,
  dialect: duckdb,
});

/** None of the caller's values is SQL text; the ones the query reads are bound parameters. */
function expectOnlyAsParams(sql: string, params: SqlParams, expected: readonly string[]): void {
  for (const v of USER_VALUES) expect(sql, `"${v}" in SQL text`).not.toContain(v);
  const bound = Object.values(params);
  for (const v of expected) expect(bound, `"${v}" not bound`).toContain(v);
}

const withDefinition = (input: DefinitionInput): Definition =>
  resolveDefinition(ConfigSchema.parse({ definitions: { golden: input } }), { name: 'golden' });

const CATALOGUE_PARAMS = [
  PROJECT,
  AS_OF,
  RELEASED,
  "O'Brien exports",
  'export\\_%',
  'pdf\\_exp_rt',
  'team_invites',
  'invite\\_sent\\_zz',
  'auto_pilot',
  LOGIN_LIKE,
];

describe('compileScore', () => {
  it('default definition', async () => {
    const { sql, params } = compileScore(
      resolveDefinition(ConfigSchema.parse({})),
      signalsFor(EMPTY),
    );
    await expect(sql).toMatchFileSnapshot(golden('score-default'));
    expectOnlyAsParams(sql, params, [PROJECT, AS_OF, LOGIN_LIKE, COLLABORATION_LIKE]);
    expect(params).toMatchObject({ window: 30, early_days: 14, adv_share: 0.2 });
  });

  it('composite score: definition', async () => {
    const def = withDefinition({
      window_days: 28,
      score: {
        weights: { days_active: 3, key_actions: 1.5, days_since_last_seen: 1 },
        cutoff: { top_percent: 12.5 },
      },
    });
    const { sql, params } = compileScore(def, signalsFor(RICH));
    await expect(sql).toMatchFileSnapshot(golden('score-composite'));
    expectOnlyAsParams(sql, params, CATALOGUE_PARAMS);
    expect(params).toMatchObject({ window: 28, early_days: 9, adv_share: 0.15 });
  });

  it('composite score with a min_score cut-off', async () => {
    const def = withDefinition({
      score: { weights: { sessions: 1, trend: 2 }, cutoff: { min_score: 75 } },
    });
    const { sql, params } = compileScore(def, signalsFor(EMPTY));
    await expect(sql).toMatchFileSnapshot(golden('score-composite-min-score'));
    expectOnlyAsParams(sql, params, [PROJECT, AS_OF]);
  });

  it('max, min_share, any and at_least', async () => {
    const def = withDefinition({
      window_days: 7,
      rule: {
        all: [
          { id: 'often', signal: 'days_active', min_share: 2 / 3 },
          { id: 'recent', signal: 'days_since_last_seen', max: 2 },
          {
            any: [
              { signal: 'features', min: 4 },
              { signal: 'catalogue_coverage', top_percent: 25 },
            ],
          },
          {
            at_least: 2,
            of: [
              { signal: 'collaboration', min: 1 },
              { signal: 'feedback', min: 1 },
              { signal: 'trend', max: -10 },
              { signal: 'session_seconds_median', min: 90.5 },
            ],
          },
        ],
      },
    });
    const { sql, params } = compileScore(def, signalsFor(RICH));
    await expect(sql).toMatchFileSnapshot(golden('score-rule-groups'));
    expectOnlyAsParams(sql, params, CATALOGUE_PARAMS);
    // 2/3 of 7 days is 4.67, so at least 5 days; trend's negative max is a constant, and a
    // trend without a baseline (null) fails it and counts as neither past nor short of it.
    expect(sql).toContain('days_active >= 5 AS pass_often');
    expect(sql).toContain('coalesce(trend <= -10, false) AS pass_trend');
    expect(sql).toContain('coalesce((-ln(11)) - (sign(trend) * ln(1 + abs(trend))), 0.0)');
    expect(sql).toContain('((CAST(pass_collaboration AS INTEGER) + CAST(pass_feedback AS INTEGER)');
  });
});

describe('compileSignals', () => {
  it('empty catalogue', async () => {
    const { ctes, params } = compileSignals({ ...signalsFor(EMPTY), windowDays: 30 });
    await expect(ctes).toMatchFileSnapshot(golden('signals-empty-catalogue'));
    expectOnlyAsParams(ctes, params, [PROJECT, AS_OF, LOGIN_LIKE, FEEDBACK_LIKE]);
    expect(Object.keys(params).filter((k) => k.startsWith('cf'))).toEqual([]);
  });

  it('catalogue with globs, tags, a released feature and unlisted_events: ignore', async () => {
    const { ctes, params } = compileSignals({ ...signalsFor(RICH), windowDays: 30 });
    await expect(ctes).toMatchFileSnapshot(golden('signals-rich-catalogue'));
    expectOnlyAsParams(ctes, params, CATALOGUE_PARAMS);
    // One VALUES row per event pattern: 2 + 1 + 1 + 1 + 1.
    expect(Object.keys(params).filter((k) => /^cf\d+_p\d+$/.test(k))).toHaveLength(6);
    expect(params).toMatchObject({
      cf0_key: true,
      cf1_collab: true,
      cf2_feedback: true,
      cf2_adv: true,
      cf3_rel: RELEASED,
      cf4_login: true,
      cf0_rel: null,
    });
  });
});

describe('compileFeatures', () => {
  it('catalogue without adoption', async () => {
    const { sql, params } = compileFeatures({ ...signalsFor(RICH), windowDays: 30 }, false);
    await expect(sql).toMatchFileSnapshot(golden('features'));
    expectOnlyAsParams(sql, params, CATALOGUE_PARAMS);
  });

  it('with adoption by power users and everyone else', async () => {
    const { sql, params } = compileFeatures({ ...signalsFor(RICH), windowDays: 30 }, true);
    await expect(sql).toMatchFileSnapshot(golden('features-adoption'));
    expectOnlyAsParams(sql, params, CATALOGUE_PARAMS);
  });

  it("one user's features", async () => {
    const { sql, params } = compileUserFeatures({ ...signalsFor(EMPTY), windowDays: 30 });
    await expect(sql).toMatchFileSnapshot(golden('user-features'));
    expectOnlyAsParams(sql, params, [PROJECT, AS_OF]);
  });
});

describe('compile-report', () => {
  it.each([
    ['report-curve-l30', compileCurve('days_active', duckdb)],
    ['report-curve-l7', compileCurve('days_active_7', duckdb)],
    ['report-concentration-top', compileConcentrationTop(duckdb)],
    ['report-lorenz', compileLorenz(duckdb)],
    ['report-gini', compileGini()],
    ['report-group-stats', compileGroupStats(duckdb)],
  ])('%s', async (name, sql) => {
    await expect(sql).toMatchFileSnapshot(golden(name));
    // The report reads only the scored table: no parameter, so nothing of the caller's.
    expect(sql).not.toMatch(/\$[a-z]/);
  });
});

describe('compileRollup', () => {
  it('dirty days, linked ids and a property feature', async () => {
    const s = compileRollup({
      projectId: PROJECT,
      timeZone: 'Pacific/Chatham',
      sessionGapSeconds: 1800,
      dialect: duckdb,
      scope: { kind: 'days', days: [AS_OF] },
      identities: true,
      propertyFeatures: [
        {
          name: "O'Brien exports",
          eventPatterns: ['export\\_%'],
          conditions: [['/format', 'pdf']],
        },
      ],
    });
    const sql = [
      s.deleteUserDay,
      s.insertUserDay,
      s.insertUserDayEvent,
      s.insertUserDayFeature ?? '',
    ].join(';\n\n');
    await expect(sql).toMatchFileSnapshot(golden('rollup-days-identities'));
    expectOnlyAsParams(sql, s.params, [PROJECT, "O'Brien exports", 'export\\_%']);
    expect(s.rebuiltDays).toEqual([AS_OF, '2031-07-20']);
  });

  it('every day, no linked ids', async () => {
    const s = compileRollup({
      projectId: PROJECT,
      timeZone: 'UTC',
      sessionGapSeconds: 1800,
      dialect: duckdb,
      scope: { kind: 'all' },
    });
    const sql = [s.deleteUserDay, s.insertUserDay, s.insertUserDayEvent].join(';\n\n');
    await expect(sql).toMatchFileSnapshot(golden('rollup-all'));
    expectOnlyAsParams(sql, s.params, [PROJECT]);
    expect(sql).not.toContain('identity_map');
  });
});

describe('the queries of the use cases (as-of date, users, what-if, report cache)', () => {
  const KEY = 'key_golden_q7';
  it.each([
    ['data-range', compileDataRange(duckdb, PROJECT), [PROJECT]],
    ['user-seen', compileUserSeen(duckdb, PROJECT, 'user_golden_q7'), [PROJECT, 'user_golden_q7']],
    [
      'user-activity',
      compileUserActivity(duckdb, {
        projectId: PROJECT,
        userId: 'user_golden_q7',
        asOf: AS_OF,
        days: 91,
      }),
      [PROJECT, 'user_golden_q7', AS_OF],
    ],
    ['report-totals', compileReportTotals(duckdb, PROJECT, 'user_day'), [PROJECT]],
    [
      'active-users',
      compileActiveUsers(duckdb, { projectId: PROJECT, asOf: AS_OF, windowDays: 30 }),
      [PROJECT, AS_OF],
    ],
    ['report-cache-stamp', compileRollupStamp(duckdb, PROJECT), [PROJECT]],
    ['report-cache-lookup', compileCachedReport(duckdb, PROJECT, KEY), [PROJECT, KEY]],
    ['report-cache-forget', compileForgetReport(duckdb, PROJECT, KEY), [PROJECT, KEY]],
    ['report-cache-trim', compileTrimReports(duckdb, PROJECT, 50), [PROJECT]],
    [
      'scored-users',
      compileScoredUsers(duckdb, { powerOnly: true, userId: 'user_golden_q7', limit: 51 }),
      ['user_golden_q7'],
    ],
    [
      'user-snapshots',
      compileUserSnapshots(
        duckdb,
        { projectId: PROJECT, definition: 'def_golden_q7', period: 'week' },
        'user_golden_q7',
        AS_OF,
      ),
      [PROJECT, 'def_golden_q7', 'user_golden_q7', AS_OF],
    ],
  ] as const)('%s', async (name, { sql, params }, bound) => {
    await expect(sql).toMatchFileSnapshot(golden(name));
    expectOnlyAsParams(sql, params, bound);
  });

  it('scored-page', async () => {
    const { count, page } = compileScoredPage(duckdb, {
      power: false,
      text: 'User_Golden_Q7',
      sort: 'key_actions',
      order: 'asc',
      limit: 50,
      offset: 100,
    });
    await expect(`${count.sql};\n\n${page.sql}`).toMatchFileSnapshot(golden('scored-page'));
    expectOnlyAsParams(page.sql, page.params, ['user_golden_q7']);
  });

  it('what-if', async () => {
    const q = compileWhatIf(duckdb, 'scored_baseline', 'scored');
    const sql = [q.counts, q.entering, q.leaving].join(';\n\n');
    await expect(sql).toMatchFileSnapshot(golden('what-if'));
    expect(sql).not.toMatch(/\$[a-z]/);
  });
});
