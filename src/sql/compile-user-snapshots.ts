import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';
import type { SnapshotKey } from './compile-snapshots.js';

/**
 * One user's stored snapshots (src/lifecycle/run-snapshots.ts) of one definition and period kind,
 * every stored period scored as of `asOf` or before, oldest first: a period the user was not
 * active in comes with `present` false. What `explain` reads to say when a former power user was
 * one and what changed since.
 */
export function compileUserSnapshots(
  d: Dialect,
  key: SnapshotKey,
  userId: string,
  asOf: string,
): { sql: string; params: SqlParams } {
  const where = `project_id = ${d.param('p', 'String')} AND definition = ${d.param('def', 'String')}
      AND period = ${d.param('period', 'String')} AND as_of <= ${d.param('asof', 'Date')}`;
  return {
    sql: `WITH periods AS (SELECT DISTINCT period_start FROM user_snapshots WHERE ${where}),
  mine AS (
    SELECT period_start, as_of, is_power_user, score, criteria_met, criteria_total, days_active,
      events
    FROM user_snapshots WHERE ${where} AND user_id = ${d.param('user', 'String')})
  SELECT ${d.dateText('p.period_start')} AS period_start, ${d.dateText('m.as_of')} AS as_of,
    ${d.bool('m.period_start IS NOT NULL')} AS present,
    ${d.bool('coalesce(m.is_power_user, false)')} AS is_power_user,
    m.score AS score, m.criteria_met AS criteria_met, m.criteria_total AS criteria_total,
    m.days_active AS days_active, m.events AS events
  FROM periods p LEFT JOIN mine m ON m.period_start = p.period_start
  ORDER BY p.period_start`,
    params: {
      p: key.projectId,
      def: key.definition,
      period: key.period,
      asof: asOf,
      user: userId,
    },
  };
}
