import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';
import type { SnapshotKey } from './compile-snapshots.js';

/**
 * The top bucket of the activity curve in stored snapshot periods (the project alert
 * `curve_top_bucket_shrank`, src/playbooks/project-alerts.ts): in the period and in the one before, the users
 * in its snapshot (those active in the period's window, as the lifecycle counts them) and how
 * many of them were active on at least `topDays` days of the window. A period not stored has
 * no row. The first day is named `start`: ClickHouse would read the WHERE's `period_start` as
 * an alias of the text.
 */
export function compileCurveTop(
  d: Dialect,
  key: SnapshotKey,
  periods: { now: string; before: string },
  topDays: number,
): { sql: string; params: SqlParams } {
  return {
    sql: `SELECT ${d.dateText('period_start')} AS start, count(*) AS active_users,
    ${d.countIf(`days_active >= ${d.param('top', 'Int64')}`)} AS top_users
  FROM user_snapshots
  WHERE project_id = ${d.param('p', 'String')} AND definition = ${d.param('def', 'String')}
    AND period = ${d.param('period', 'String')}
    AND (period_start = ${d.date(d.param('now', 'Date'))}
      OR period_start = ${d.date(d.param('before', 'Date'))})
  GROUP BY period_start
  ORDER BY start`,
    params: {
      p: key.projectId,
      def: key.definition,
      period: key.period,
      now: periods.now,
      before: periods.before,
      top: topDays,
    },
  };
}
