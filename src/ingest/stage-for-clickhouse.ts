import { DuckDbEngine } from '../engines/duckdb/duckdb-engine.js';
import type { Engine, Row } from '../engines/engine.js';
import { compileCurrentProjects } from '../sql/compile-projects.js';

/** Rows copied per insert: large enough for ClickHouse's parts, small enough for memory. */
const BATCH = 50_000;

/**
 * Files and collector segments reach ClickHouse through a throw-away in-memory DuckDB: the
 * readers, the mapping, the checks and the per-batch dedupe are the DuckDB ones (written once),
 * and what they stored is then copied across. The staging database knows the target's projects,
 * so local days are computed in each project's own time zone.
 */
export async function withClickHouseStaging<T>(
  target: Engine,
  body: (staging: Engine) => Promise<T>,
): Promise<T> {
  const staging = await DuckDbEngine.open({ path: ':memory:' });
  try {
    await staging.migrate();
    const current = compileCurrentProjects();
    const projects = await target.query<Row>(current.sql, current.params);
    await staging.run('DELETE FROM projects');
    if (projects.length > 0) await staging.insert('projects', projects);
    return await body(staging);
  } finally {
    await staging.close();
  }
}

export interface CopyCounts {
  events: number;
  identifies: number;
  groups: number;
  aliases: number;
  failed: number;
}

/** Instants as text ClickHouse reads into DateTime64(3, 'UTC'). */
const instant = (column: string) =>
  `strftime(${column} AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%g') AS ${column}`;

const MESSAGE_TABLES = [
  {
    table: 'events',
    key: 'events',
    columns: `project_id, message_id, ${instant('timestamp')}, user_id, anonymous_id, account_id,
      event, CAST(properties AS VARCHAR) AS properties, ${instant('received_at')}, source,
      batch_id, timestamp_flag`,
  },
  {
    table: 'identifies',
    key: 'identifies',
    columns: `project_id, message_id, ${instant('timestamp')}, user_id, anonymous_id,
      CAST(traits AS VARCHAR) AS traits, ${instant('received_at')}, source`,
  },
  {
    table: 'group_memberships',
    key: 'groups',
    columns: `project_id, message_id, ${instant('timestamp')}, user_id, anonymous_id, account_id,
      CAST(traits AS VARCHAR) AS traits, ${instant('received_at')}, source`,
  },
  {
    table: 'aliases',
    key: 'aliases',
    columns: `project_id, message_id, ${instant('timestamp')}, user_id, previous_id,
      ${instant('received_at')}, source`,
  },
] as const;

/**
 * Copies what the staging database stored into ClickHouse: each message without the ids the
 * project already has there (received since `since`, or ever), every rejected row, and the days
 * touched. ClickHouse has no transactions: a copy cut short is finished by copying again, which
 * the dedupe makes harmless.
 */
export async function copyStagedIntoClickHouse(
  staging: Engine,
  target: Engine,
  options: { since?: string } = {},
): Promise<CopyCounts> {
  const d = target.dialect;
  const counts: CopyCounts = { events: 0, identifies: 0, groups: 0, aliases: 0, failed: 0 };
  const recent = options.since ? ` AND received_at >= ${d.param('since', 'DateTime')}` : '';
  for (const { table, key, columns } of MESSAGE_TABLES) {
    for await (const rows of staging.stream<Row>(`SELECT ${columns} FROM ${table}`)) {
      for (let i = 0; i < rows.length; i += BATCH) {
        const batch = rows.slice(i, i + BATCH);
        const known = new Set<string>();
        for (const projectId of new Set(batch.map((r) => String(r.project_id)))) {
          const ids = batch
            .filter((r) => r.project_id === projectId)
            .map((r) => String(r.message_id));
          for (const r of await target.query<{ message_id: string }>(
            `SELECT message_id FROM ${table} WHERE project_id = ${d.param('p', 'String')}
             AND ${d.inList('message_id', d.param('ids', 'Array(String)'))}${recent}`,
            { p: projectId, ids, since: options.since ?? null },
          )) {
            known.add(`${projectId}\u0000${r.message_id}`);
          }
        }
        const fresh = batch.filter((r) => !known.has(`${r.project_id}\u0000${r.message_id}`));
        if (fresh.length > 0) await target.insert(table, fresh);
        counts[key] += fresh.length;
      }
    }
  }
  const failed = await staging.query<Row>(
    `SELECT project_id, source, source_line, reason, raw, ${instant('failed_at')}
     FROM failed_events`,
  );
  if (failed.length > 0) await target.insert('failed_events', failed);
  counts.failed = failed.length;
  const days = await staging.query<Row>(
    `SELECT DISTINCT project_id, strftime(day, '%Y-%m-%d') AS day FROM rollup_dirty_days`,
  );
  if (days.length > 0) await target.insert('rollup_dirty_days', days);
  return counts;
}
