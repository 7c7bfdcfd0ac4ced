import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';

/**
 * The statements of stage-for-clickhouse.ts: reads of the throw-away staging DuckDB (instants as
 * text ClickHouse reads into DateTime64(3, 'UTC')), and the target's lookup of the message ids it
 * holds already, in the target's dialect.
 */

type Statement = { sql: string; params: SqlParams };

/** The tables of messages a load or an import stores. */
export type MessageTable = 'events' | 'identifies' | 'group_memberships' | 'aliases';

/** Instants as text ClickHouse reads into DateTime64(3, 'UTC'). */
const instant = (column: string) =>
  `strftime(${column} AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%g') AS ${column}`;

const MESSAGE_COLUMNS: Record<MessageTable, string> = {
  events: `project_id, message_id, ${instant('timestamp')}, user_id, anonymous_id, account_id,
      event, CAST(properties AS VARCHAR) AS properties, ${instant('received_at')}, source,
      batch_id, timestamp_flag`,
  identifies: `project_id, message_id, ${instant('timestamp')}, user_id, anonymous_id,
      CAST(traits AS VARCHAR) AS traits, ${instant('received_at')}, source`,
  group_memberships: `project_id, message_id, ${instant('timestamp')}, user_id, anonymous_id, account_id,
      CAST(traits AS VARCHAR) AS traits, ${instant('received_at')}, source`,
  aliases: `project_id, message_id, ${instant('timestamp')}, user_id, previous_id,
      ${instant('received_at')}, source`,
};

/** Staging: every row of a message table, as the target's columns. */
export function compileStagedMessages(table: MessageTable): Statement {
  return { sql: `SELECT ${MESSAGE_COLUMNS[table]} FROM ${table}`, params: {} };
}

/** Staging: every rejected row. */
export function compileStagedFailures(): Statement {
  return {
    sql: `SELECT project_id, source, source_line, reason, raw, ${instant('failed_at')}
     FROM failed_events`,
    params: {},
  };
}

/** Staging: the days it marked dirty, as YYYY-MM-DD text. */
export function compileStagedDirtyDays(): Statement {
  return {
    sql: `SELECT DISTINCT project_id, strftime(day, '%Y-%m-%d') AS day FROM rollup_dirty_days`,
    params: {},
  };
}

/** Staging: no project, before the target's are copied in. */
export function compileClearStagedProjects(): Statement {
  return { sql: 'DELETE FROM projects', params: {} };
}

/**
 * Target: which of some message ids a project holds in a table (`message_id`), among those
 * received since an instant (ISO text) when one is given, else ever.
 */
export function compileKnownMessageIds(
  d: Dialect,
  input: {
    table: MessageTable;
    projectId: string;
    ids: readonly string[];
    since?: string | undefined;
  },
): Statement {
  const recent = input.since ? ` AND received_at >= ${d.param('since', 'DateTime')}` : '';
  return {
    sql: `SELECT message_id FROM ${input.table} WHERE project_id = ${d.param('p', 'String')}
             AND ${d.inList('message_id', d.param('ids', 'Array(String)'))}${recent}`,
    params: { p: input.projectId, ids: input.ids, since: input.since ?? null },
  };
}
