import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';

/** Identified users active in the `windowDays` days to `asOf` (`n`), from the rollup. */
export function compileActiveUsers(
  d: Dialect,
  input: { projectId: string; asOf: string; windowDays: number },
): { sql: string; params: SqlParams } {
  return {
    sql: `SELECT ${d.countDistinct('user_id')} AS n FROM user_day
     WHERE project_id = ${d.param('p', 'String')} AND NOT anonymous
       AND day > ${d.minusDays(d.param('asof', 'Date'), d.param('w', 'Int64'))}
       AND day <= ${d.param('asof', 'Date')}`,
    params: { p: input.projectId, asof: input.asOf, w: input.windowDays },
  };
}
