import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';

/**
 * The report's totals: the project's events, users, accounts and days with data, in one scan of
 * the rollup `userDay` (not of the events: the sum of the per-day counts is every event stored,
 * anonymous ones included, once the rollups are current).
 */
export function compileReportTotals(
  d: Dialect,
  projectId: string,
  userDay: string,
): { sql: string; params: SqlParams } {
  return {
    sql: `SELECT CAST(coalesce(sum(events), 0) AS BIGINT) AS events,
       ${d.countDistinct('CASE WHEN NOT anonymous THEN user_id END')} AS users,
       ${d.countDistinct("CASE WHEN account_id <> '' THEN account_id END")} AS accounts,
       ${d.dateText('min(day)')} AS first_day, ${d.dateText('max(day)')} AS last_day
     FROM ${userDay} WHERE project_id = ${d.param('p', 'String')}`,
    params: { p: projectId },
  };
}

/** Active users and power users of the last scoring (the table `scored`). */
export function compileScoredCounts(d: Dialect): string {
  return `SELECT count(*) AS active, ${d.countIf('is_power_user')} AS power FROM scored`;
}
