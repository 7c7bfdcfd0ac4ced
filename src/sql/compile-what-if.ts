import type { Dialect } from '../dialect/dialect.js';

/**
 * A what-if: who enters and who leaves the power users between two scorings, the temp tables
 * `before` and `after` (names the code gives, never a request's text). No parameters.
 */
export function compileWhatIf(
  d: Dialect,
  before: string,
  after: string,
): { counts: string; entering: string; leaving: string } {
  const joined = `(SELECT coalesce(a.user_id, b.user_id) AS user_id,
       b.user_id IS NOT NULL AS in_before, a.user_id IS NOT NULL AS in_after,
       coalesce(b.is_power_user, false) AS was_power, coalesce(a.is_power_user, false) AS is_power,
       b.score AS before_score, a.score AS after_score
     FROM ${before} b FULL OUTER JOIN ${after} a ON a.user_id = b.user_id)`;
  // Up to 20 users, in `order` and then by id.
  const list = (cond: string, order: string) =>
    `SELECT user_id FROM ${joined} WHERE ${cond} ORDER BY ${order}, user_id LIMIT 20`;
  return {
    counts: `SELECT ${d.countIf('in_before')} AS before_active, ${d.countIf('in_after')} AS after_active,
       ${d.countIf('was_power')} AS before_power, ${d.countIf('is_power')} AS after_power,
       ${d.countIf('is_power AND NOT was_power')} AS entering,
       ${d.countIf('was_power AND NOT is_power')} AS leaving
     FROM ${joined}`,
    entering: list('is_power AND NOT was_power', 'after_score DESC'),
    leaving: list('was_power AND NOT is_power', 'before_score DESC'),
  };
}
