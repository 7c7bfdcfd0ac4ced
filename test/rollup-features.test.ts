import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scoreInto, signalsInput } from '../src/analysis/score-users.js';
import { duckdb } from '../src/dialect/duckdb.js';
import { runImport } from '../src/ingest/import/run-import.js';
import { type Catalogue, CatalogueSchema } from '../src/model/catalogue.js';
import { ConfigSchema } from '../src/model/config.js';
import { resolveDefinition } from '../src/model/resolve-definition.js';
import { type RollupOptions, runRollup } from '../src/rollup/run-rollup.js';
import { compileUserFeatures } from '../src/sql/compile-features.js';
import { compileRollup, propertyFeatures } from '../src/sql/compile-rollup.js';
import { openTempDb, type TempDb } from './helpers/temp-db.js';

let db: TempDb;
beforeEach(async () => {
  db = await openTempDb();
});
afterEach(async () => {
  await db.cleanup();
});

const NOW = new Date('2026-11-20T00:00:00Z');
let files = 0;

/** Imports NDJSON rows (user_id or anonymous_id, timestamp, event, anything else a property). */
async function load(rows: Record<string, unknown>[]): Promise<void> {
  files += 1;
  await runImport(db.engine, {
    path: db.file(`e${files}.ndjson`, rows.map((r) => JSON.stringify(r)).join('\n')),
    projectId: 'default',
    timeZone: 'UTC',
    now: NOW,
  });
}

const catalogue = (features: unknown[]): Catalogue => CatalogueSchema.parse({ features });
const PDF = { name: 'pdf_export', events: 'export*', where: { format: 'pdf' } };

const rollup = (cat: Catalogue | undefined, extra: Partial<RollupOptions> = {}) =>
  runRollup(db.engine, {
    projectId: 'default',
    timeZone: 'UTC',
    sessionGapMinutes: 30,
    catalogue: cat,
    ...extra,
  });

async function featureRows(): Promise<unknown[][]> {
  const rows = await db.engine.query<{
    user_id: string;
    anonymous: boolean;
    day: string;
    feature: string;
    events: number;
  }>(
    `SELECT user_id, anonymous, strftime(day, '%Y-%m-%d') AS day, feature, events
     FROM user_day_feature ORDER BY user_id, day, feature`,
  );
  return rows.map((r) => [r.user_id, r.anonymous, r.day, r.feature, r.events]);
}

const at = (day: number, minute: number) =>
  `2026-03-${String(day).padStart(2, '0')}T10:${String(minute).padStart(2, '0')}:00Z`;

describe('user_day_feature: catalogue features defined by property conditions', () => {
  it('counts matching events per user and day, and nothing else', async () => {
    await load([
      { user_id: 'a', timestamp: at(1, 0), event: 'export_report', format: 'pdf' },
      { user_id: 'a', timestamp: at(1, 1), event: 'export_chart', format: 'pdf' },
      { user_id: 'a', timestamp: at(2, 0), event: 'export_report', format: 'pdf' },
      { user_id: 'a', timestamp: at(2, 1), event: 'export_report', format: 'csv' },
      // The right property on another event name, the event without the property, without any.
      { user_id: 'b', timestamp: at(1, 0), event: 'view', format: 'pdf' },
      { user_id: 'b', timestamp: at(1, 1), event: 'export_report', size: 3 },
      { user_id: 'b', timestamp: at(1, 2), event: 'export_report' },
      { user_id: 'b', timestamp: at(1, 3), event: 'export_report', format: 'PDF' },
      { anonymous_id: 'anon-1', timestamp: at(1, 0), event: 'export_report', format: 'pdf' },
    ]);
    const r = await rollup(catalogue([PDF, { name: 'viewing', events: 'view' }]));
    expect(r).toMatchObject({ mode: 'full', features_rebuilt: true });
    expect(await featureRows()).toEqual([
      ['a', false, '2026-03-01', 'pdf_export', 2],
      ['a', false, '2026-03-02', 'pdf_export', 1],
      ['anon-1', true, '2026-03-01', 'pdf_export', 1],
    ]);
  });

  it('reaches nested properties and compares numbers and booleans as text', async () => {
    const base = { event: 'seat_added', plan: { tier: 'pro' }, seats: 5, trial: false };
    await load([
      { ...base, user_id: 'ok', timestamp: at(1, 0) },
      { ...base, user_id: 'ok', timestamp: at(1, 1), seats: '5' }, // the same text
      { ...base, user_id: 'ok', timestamp: at(2, 0), trial: 'false' }, // the same text
      { ...base, user_id: 'free', timestamp: at(1, 0), plan: { tier: 'free' } },
      { ...base, user_id: 'flat', timestamp: at(1, 0), plan: 'pro' },
      { ...base, user_id: 'dotted', timestamp: at(1, 0), plan: undefined, 'plan.tier': 'pro' },
      { ...base, user_id: 'six', timestamp: at(1, 0), seats: 6 },
      { ...base, user_id: 'float', timestamp: at(1, 0), seats: 5.5 },
      { ...base, user_id: 'trial', timestamp: at(1, 0), trial: true },
      { ...base, user_id: 'null', timestamp: at(1, 0), trial: null },
    ]);
    await rollup(
      catalogue([
        {
          name: 'pro_seats',
          events: ['seat_added'],
          where: { 'plan.tier': 'pro', seats: 5, trial: false },
        },
      ]),
    );
    expect(await featureRows()).toEqual([
      ['ok', false, '2026-03-01', 'pro_seats', 2],
      ['ok', false, '2026-03-02', 'pro_seats', 1],
    ]);
  });

  it('counts an event once per feature name, and once in each feature it matches', async () => {
    await load([{ user_id: 'a', timestamp: at(1, 0), event: 'export_report', format: 'pdf' }]);
    await rollup(
      catalogue([
        PDF,
        { name: 'pdf_export', events: ['export_report', 'export_*'], where: { format: 'pdf' } },
        { name: 'any_export', events: 'export_report', where: {} },
      ]),
    );
    expect(await featureRows()).toEqual([
      ['a', false, '2026-03-01', 'any_export', 1],
      ['a', false, '2026-03-01', 'pdf_export', 1],
    ]);
  });

  it('refreshes the dirty days incrementally and equals a full rebuild', async () => {
    const cat = catalogue([PDF]);
    await load([
      { user_id: 'a', timestamp: at(1, 0), event: 'export', format: 'pdf' },
      { user_id: 'a', timestamp: at(5, 0), event: 'export', format: 'pdf' },
    ]);
    await rollup(cat);
    await load([
      { user_id: 'a', timestamp: at(1, 30), event: 'export', format: 'pdf' },
      { user_id: 'b', timestamp: at(2, 0), event: 'export', format: 'pdf' },
      { user_id: 'b', timestamp: at(2, 1), event: 'export', format: 'csv' },
    ]);
    const inc = await rollup(cat);
    expect(inc).toMatchObject({ mode: 'incremental', features_rebuilt: false, days_rebuilt: 3 });
    expect(inc.reason).toBeUndefined();
    const incremental = await featureRows();
    expect(incremental).toEqual([
      ['a', false, '2026-03-01', 'pdf_export', 2],
      ['a', false, '2026-03-05', 'pdf_export', 1],
      ['b', false, '2026-03-02', 'pdf_export', 1],
    ]);
    expect((await rollup(cat)).mode).toBe('up-to-date');
    await rollup(cat, { full: true });
    expect(await featureRows()).toEqual(incremental);
  });

  it('rebuilds user_day_feature alone when the property features change', async () => {
    await load([
      { user_id: 'a', timestamp: at(1, 0), event: 'export', format: 'pdf' },
      { user_id: 'a', timestamp: at(9, 0), event: 'export', format: 'csv' },
    ]);
    await rollup(catalogue([PDF]));
    expect(await featureRows()).toEqual([['a', false, '2026-03-01', 'pdf_export', 1]]);
    const userDays = await db.engine.query('SELECT * FROM user_day ORDER BY day');

    // The same features in another order, with an event-name feature added: nothing to do.
    const same = catalogue([
      { name: 'viewing', events: 'view' },
      { name: 'csv_export', events: 'export', where: { format: 'csv' } },
      PDF,
    ]);
    await rollup(same); // csv_export is new: rebuilt once
    const again = await rollup(
      catalogue([PDF, { name: 'csv_export', events: ['export'], where: { format: 'csv' } }]),
    );
    expect(again).toMatchObject({ mode: 'up-to-date', features_rebuilt: false });

    // A changed condition rebuilds user_day_feature for every day, not the other rollups.
    const changed = await rollup(catalogue([{ ...PDF, where: { format: 'csv' } }]));
    expect(changed).toMatchObject({
      mode: 'incremental',
      features_rebuilt: true,
      days_rebuilt: 0,
      user_days: 0,
    });
    expect(changed.reason).toMatch(/property features changed/);
    expect(await featureRows()).toEqual([['a', false, '2026-03-09', 'pdf_export', 1]]);
    expect(await db.engine.query('SELECT * FROM user_day ORDER BY day')).toEqual(userDays);
    expect((await rollup(catalogue([{ ...PDF, where: { format: 'csv' } }]))).mode).toBe(
      'up-to-date',
    );

    // A change together with dirty days: those days incrementally, the features for every day.
    await load([{ user_id: 'c', timestamp: at(20, 0), event: 'export', format: 'pdf' }]);
    const both = await rollup(catalogue([PDF]));
    expect(both).toMatchObject({ mode: 'incremental', features_rebuilt: true, days_rebuilt: 2 });
    expect(await featureRows()).toEqual([
      ['a', false, '2026-03-01', 'pdf_export', 1],
      ['c', false, '2026-03-20', 'pdf_export', 1],
    ]);

    // No property feature any more: the table is emptied.
    const none = await rollup(undefined);
    expect(none).toMatchObject({ features_rebuilt: true });
    expect(await featureRows()).toEqual([]);
    const state = await db.engine.query('SELECT features_hash FROM rollup_state');
    expect(state).toEqual([{ features_hash: '' }]);
  });

  it('binds every name, pattern, path and value as a parameter, never as SQL text', async () => {
    const evil = "pdf' OR 1=1; DROP TABLE events; --";
    const feature = {
      name: "Bob's export",
      events: "export'*",
      where: { "format'x": evil, 'meta.qu"ote': 'a"b', 'a/b~c': 7 },
    };
    const s = compileRollup({
      projectId: 'default',
      timeZone: 'UTC',
      sessionGapSeconds: 1800,
      scope: { kind: 'days', days: ['2026-03-01'] },
      propertyFeatures: propertyFeatures(catalogue([feature])),
      dialect: duckdb,
    });
    const sql = [s.deleteUserDayFeature, s.insertUserDayFeature ?? ''].join('\n');
    for (const text of ["Bob's", "export'", 'format', 'DROP', 'meta', 'qu"ote', 'a"b', '~']) {
      expect(sql).not.toContain(text);
    }
    expect(Object.values(s.params)).toEqual(
      expect.arrayContaining([
        "Bob's export",
        "export'%",
        `$."format'x"`,
        evil,
        '$."meta"."qu\\"ote"',
        'a"b',
        '$."a/b~c"',
        '7',
      ]),
    );
    expect(s.deleteUserDayFeature).toContain('list_contains(CAST($days AS DATE[]), day)');

    // And on a real database the values match as data.
    await load([
      {
        user_id: 'a',
        timestamp: at(1, 0),
        event: "export'pdf",
        "format'x": evil,
        meta: { 'qu"ote': 'a"b' },
        'a/b~c': 7,
      },
      { user_id: 'b', timestamp: at(1, 0), event: "export'pdf", "format'x": 'pdf' },
    ]);
    await rollup(catalogue([feature]));
    expect(await featureRows()).toEqual([['a', false, '2026-03-01', "Bob's export", 1]]);
    expect((await db.engine.query('SELECT count(*) AS n FROM events'))[0]).toEqual({ n: 2 });
  });

  it('feeds scoring: a user of a property feature has it among their features', async () => {
    const rows: Record<string, unknown>[] = [];
    for (let d = 1; d <= 20; d++) {
      rows.push({ user_id: 'a', timestamp: at(d, 0), event: 'view' });
      rows.push({ user_id: 'a', timestamp: at(d, 1), event: 'export', format: 'pdf' });
      rows.push({ user_id: 'b', timestamp: at(d, 0), event: 'view' });
      rows.push({ user_id: 'b', timestamp: at(d, 1), event: 'export', format: 'csv' });
    }
    await load(rows);
    const cat = CatalogueSchema.parse({
      features: [{ ...PDF, kind: 'advanced', tags: ['key_action'] }],
    });
    await rollup(cat);
    const definition = resolveDefinition(ConfigSchema.parse({}), {});
    const scope = { projectId: 'default', asOf: '2026-03-20', catalogue: cat };
    await scoreInto(db.engine, definition, scope);
    const scored = await db.engine.query<{
      user_id: string;
      features: number;
      advanced_features: number;
      key_actions: number;
      advanced_list: string[];
    }>(
      `SELECT user_id, features, advanced_features, key_actions, advanced_list
       FROM scored ORDER BY user_id`,
    );
    // The property feature lists `export`, so it is not also inferred as a feature of its own:
    // a uses view and pdf_export; b (CSV exports only) uses view.
    expect(scored).toEqual([
      {
        user_id: 'a',
        features: 2,
        advanced_features: 1,
        key_actions: 20,
        advanced_list: ['pdf_export'],
      },
      { user_id: 'b', features: 1, advanced_features: 0, key_actions: 0, advanced_list: [] },
    ]);
    const { sql, params } = compileUserFeatures({
      ...signalsInput(scope, db.engine.dialect),
      windowDays: definition.window_days,
    });
    const uses = await db.engine.query(sql, { ...params, user: 'a' });
    expect(uses).toContainEqual(
      expect.objectContaining({ feature: 'pdf_export', uses: 20, is_advanced: true }),
    );
  });
});
