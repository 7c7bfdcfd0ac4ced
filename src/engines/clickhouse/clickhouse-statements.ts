import type { SqlParams, SqlValue } from '../../dialect/sql-value.js';
import type { MigrationReport, Row } from '../engine.js';
import { clickhouseSchema, clickhouseUpgrade, SCHEMA_VERSION } from './schema.js';

/** The parameters a statement names as {name:Type}: compiled statements share one set. */
export function bindClickHouse(
  sql: string,
  params: SqlParams | undefined,
): Record<string, SqlValue> {
  if (!params) return {};
  const named = new Set(Array.from(sql.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*):/g), (m) => m[1]));
  const out: Record<string, SqlValue> = {};
  for (const [k, v] of Object.entries(params)) if (named.has(k)) out[k] = v;
  return out;
}

/** What migrating needs of a ClickHouse engine, whichever way it reaches ClickHouse. */
export interface ClickHouseMigrationTarget {
  database: string;
  cluster?: string | undefined;
  run(sql: string, params?: SqlParams): Promise<unknown>;
  query<T = Row>(sql: string, params?: SqlParams): Promise<T[]>;
}

/**
 * Creates every table (idempotent DDL), adds the columns a database made at an older version lacks
 * (clickhouseUpgrade), and records the schema version; a database already at the version is left
 * as it is.
 */
export async function migrateClickHouse(t: ClickHouseMigrationTarget): Promise<MigrationReport> {
  const version = async () => {
    const [row] = await t.query<{ v: number | null }>(
      'SELECT max(version) AS v FROM schema_migrations',
    );
    return row?.v ?? 0;
  };
  // Every command migrates first: a current schema costs one query, not the whole DDL again.
  const current = await version().catch(() => 0);
  if (current >= SCHEMA_VERSION) return { from: current, to: current, applied: [] };
  for (const sql of clickhouseSchema({ database: t.database, cluster: t.cluster }))
    await t.run(sql);
  const from = await version();
  if (from >= SCHEMA_VERSION) return { from, to: from, applied: [] };
  // A database made at an older version: the tables were there already, so add what is new.
  if (from > 0) {
    for (const sql of clickhouseUpgrade({ database: t.database, cluster: t.cluster }, from))
      await t.run(sql);
  }
  await t.run(
    `INSERT INTO schema_migrations (version, name) VALUES ({v:UInt32}, 'clickhouse_schema')`,
    { v: SCHEMA_VERSION },
  );
  await t.run(
    `INSERT INTO projects (project_id, name) SELECT 'default', 'Default project'
     WHERE (SELECT count() FROM projects WHERE project_id = 'default') = 0`,
  );
  return { from, to: SCHEMA_VERSION, applied: ['clickhouse_schema'] };
}
