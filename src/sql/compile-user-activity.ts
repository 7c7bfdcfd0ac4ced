import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';

/** One user's days in the rollup, read when a user is explained. */

/**
 * When the user was seen (`first`, `last`, null when never) and whether only anonymously: why
 * a user the scoring did not find is not there.
 */
export function compileUserSeen(
  d: Dialect,
  projectId: string,
  userId: string,
): { sql: string; params: SqlParams } {
  return {
    sql: `SELECT ${d.dateText('min(day)')} AS first, ${d.dateText('max(day)')} AS last,
         ${d.bool(`NOT ${d.boolOr('NOT anonymous')}`)} AS anonymous
       FROM user_day
       WHERE project_id = ${d.param('p', 'String')} AND user_id = ${d.param('u', 'String')}`,
    params: { p: projectId, u: userId },
  };
}

/** The user's events, sessions and active seconds per active day, the `days` days to `asOf`. */
export function compileUserActivity(
  d: Dialect,
  input: { projectId: string; userId: string; asOf: string; days: number },
): { sql: string; params: SqlParams } {
  return {
    sql: `SELECT ${d.dateText('day')} AS day, sum(events) AS events, sum(sessions) AS sessions,
             sum(active_seconds) AS active_seconds
           FROM user_day
           WHERE project_id = ${d.param('p', 'String')} AND user_id = ${d.param('u', 'String')}
             AND day > ${d.minusDays(d.date(d.param('asof', 'Date')), d.param('n', 'Int64'))}
             AND day <= ${d.date(d.param('asof', 'Date'))}
           GROUP BY day ORDER BY day`,
    params: { p: input.projectId, u: input.userId, asof: input.asOf, n: input.days },
  };
}
