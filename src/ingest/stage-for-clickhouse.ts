import { DuckDbEngine } from '../engines/duckdb/duckdb-engine.js';
import type { Engine, Row } from '../engines/engine.js';
import { compileCurrentProjects } from '../sql/compile-projects.js';
import {
  compileClearStagedProjects,
  compileKnownMessageIds,
  compileStagedDirtyDays,
  compileStagedFailures,
  compileStagedMessages,
  type MessageTable,
} from './compile-stage-for-clickhouse.js';

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
    const clear = compileClearStagedProjects();
    await staging.run(clear.sql, clear.params);
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

const MESSAGE_TABLES: readonly { table: MessageTable; key: keyof CopyCounts }[] = [
  { table: 'events', key: 'events' },
  { table: 'identifies', key: 'identifies' },
  { table: 'group_memberships', key: 'groups' },
  { table: 'aliases', key: 'aliases' },
];

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
  for (const { table, key } of MESSAGE_TABLES) {
    const staged = compileStagedMessages(table);
    for await (const rows of staging.stream<Row>(staged.sql, staged.params)) {
      for (let i = 0; i < rows.length; i += BATCH) {
        const batch = rows.slice(i, i + BATCH);
        const known = new Set<string>();
        for (const projectId of new Set(batch.map((r) => String(r.project_id)))) {
          const ids = batch
            .filter((r) => r.project_id === projectId)
            .map((r) => String(r.message_id));
          const lookup = compileKnownMessageIds(d, {
            table,
            projectId,
            ids,
            since: options.since,
          });
          for (const r of await target.query<{ message_id: string }>(lookup.sql, lookup.params)) {
            known.add(`${projectId}\u0000${r.message_id}`);
          }
        }
        const fresh = batch.filter((r) => !known.has(`${r.project_id}\u0000${r.message_id}`));
        if (fresh.length > 0) await target.insert(table, fresh);
        counts[key] += fresh.length;
      }
    }
  }
  const stagedFailures = compileStagedFailures();
  const failed = await staging.query<Row>(stagedFailures.sql, stagedFailures.params);
  if (failed.length > 0) await target.insert('failed_events', failed);
  counts.failed = failed.length;
  const stagedDays = compileStagedDirtyDays();
  const days = await staging.query<Row>(stagedDays.sql, stagedDays.params);
  if (days.length > 0) await target.insert('rollup_dirty_days', days);
  return counts;
}
