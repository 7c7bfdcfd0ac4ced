import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/engines/clickhouse/schema.js';
import { ENGINES, type OpenEngine, openEngine } from '../helpers/engines.js';

/**
 * A ClickHouse database made at schema version 2 (user_snapshots without the columns at risk and
 * emerging read) is brought to today's version by migrate: the columns are added, the rows stored
 * before keep their values and read NULL in the new columns (chDB in-process).
 */
let ch: OpenEngine | undefined;
beforeAll(async () => {
  if (ENGINES.includes('chdb')) ch = await openEngine('chdb');
}, 120_000);
afterAll(async () => {
  await ch?.close();
});

// user_snapshots as schema version 2 made it.
const V2_SNAPSHOTS = `CREATE TABLE user_snapshots (
    project_id String, definition String, period LowCardinality(String),
    period_start Date, as_of Date, user_id String, account_id String, is_power_user Bool,
    score Int32, criteria_met Int32, criteria_total Int32, days_active Int32, events Int64,
    trend Float64, days_since_last_seen Int32, segments String
  ) ENGINE = MergeTree PARTITION BY toYYYYMM(period_start)
  ORDER BY (project_id, definition, period, period_start, user_id)`;

describe.skipIf(!ENGINES.includes('chdb'))('ClickHouse schema upgrade', () => {
  it('adds the snapshot columns to a database made at version 2', async () => {
    const engine = (ch as OpenEngine).engine;
    await engine.run('DROP TABLE user_snapshots');
    await engine.run(V2_SNAPSHOTS);
    await engine.run('TRUNCATE TABLE schema_migrations');
    await engine.run(
      "INSERT INTO schema_migrations (version, name) VALUES (2, 'clickhouse_schema')",
    );
    await engine.run(`INSERT INTO user_snapshots VALUES ('default', 'default', 'week',
      '2026-03-02', '2026-03-08', 'u1', 'a1', true, 90, 1, 1, 6, 60, 0, 0, '')`);

    expect(await engine.migrate()).toMatchObject({ from: 2, to: SCHEMA_VERSION });
    const columns = await engine.query<{ name: string }>(
      `SELECT name FROM system.columns WHERE database = currentDatabase()
         AND table = 'user_snapshots' ORDER BY position`,
    );
    expect(columns.map((c) => c.name).slice(-8)).toEqual([
      'window_start',
      'first_seen',
      'days_active_7',
      'baseline_days_active',
      'baseline_days',
      'events_7',
      'baseline_events',
      'attainment',
    ]);
    const trend = await engine.query<{ type: string }>(
      `SELECT type FROM system.columns WHERE database = currentDatabase()
         AND table = 'user_snapshots' AND name = 'trend'`,
    );
    // A user with no earlier window has no trend: null, no longer +100.
    expect(trend).toEqual([{ type: 'Nullable(Float64)' }]);
    const rows = await engine.query(
      'SELECT user_id, score, trend, attainment, baseline_days FROM user_snapshots',
    );
    expect(rows).toEqual([
      { user_id: 'u1', score: 90, trend: 0, attainment: null, baseline_days: null },
    ]);
    // And again: nothing to do.
    expect((await engine.migrate()).applied).toEqual([]);
  });
});
