import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';

/**
 * The first and last local day with activity of a project in the rollup (`first`, `last`, both
 * null before any data): where the default as-of date comes from.
 */
export function compileDataRange(
  d: Dialect,
  projectId: string,
): { sql: string; params: SqlParams } {
  return {
    sql: `SELECT ${d.dateText('min(day)')} AS first, ${d.dateText('max(day)')} AS last
     FROM user_day WHERE project_id = ${d.param('p', 'String')}`,
    params: { p: projectId },
  };
}
