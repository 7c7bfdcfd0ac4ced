import type { Dialect } from '../dialect/dialect.js';
import { SIGNAL_NAMES } from '../model/signals.js';

/**
 * The report's sections as SQL over the temp table `scored` (one row per active user, written by
 * compileScore). Pure functions: the queries read no user input, only the table.
 */

/** Users per number of active days (1..maxDays), and how many of them are power users. */
export function compileCurve(signal: 'days_active' | 'days_active_7', d: Dialect): string {
  return `SELECT CAST(${signal} AS INTEGER) AS days_active, count(*) AS users,
    ${d.countIf('is_power_user')} AS power_users
  FROM scored WHERE ${signal} > 0 GROUP BY ${signal} ORDER BY ${signal}`;
}

/**
 * The L7 curve over everyone active in the last 7 days, also when the window is shorter than 7
 * days (then some of them were not scored: they count as not power users). Parameters: $p, $asof.
 */
export function compileL7Curve(d: Dialect): string {
  const asOf = d.param('asof', 'Date');
  return `WITH l7 AS (
    SELECT user_id, ${d.countDistinct('day')} AS days FROM user_day
    WHERE project_id = ${d.param('p', 'String')} AND NOT anonymous
      AND day > ${d.minusDays(asOf, '7')} AND day <= ${asOf}
    GROUP BY user_id)
  SELECT CAST(l7.days AS INTEGER) AS days_active, count(*) AS users,
    ${d.countIf('s.is_power_user')} AS power_users
  FROM l7 LEFT JOIN scored s USING (user_id) GROUP BY l7.days ORDER BY l7.days`;
}

/** Shares of the key actions produced by the top 1, 5, 10 and 20% of active users. */
export const TOP_SHARES = [1, 5, 10, 20] as const;

export function compileConcentrationTop(d: Dialect): string {
  // grand_total, not total: ClickHouse reads a name as the output alias of this SELECT first.
  const cols = TOP_SHARES.map(
    (p) =>
      `coalesce(${d.divide(d.sumIf('key_actions', `rn <= ceil(${p} * n / 100.0)`), 'nullif(max(grand_total), 0)')}, 0) AS top_${p}`,
  );
  return `WITH r AS (
    SELECT key_actions, row_number() OVER (ORDER BY key_actions DESC, user_id) AS rn,
      count(*) OVER () AS n, sum(key_actions) OVER () AS grand_total
    FROM scored)
  SELECT max(n) AS users, max(grand_total) AS total, ${cols.join(', ')} FROM r`;
}

/**
 * Lorenz curve at every 5% of users (ascending by key actions): the share of key actions made by
 * the least active x% of users; and the Gini coefficient, exact over all users:
 * G = 2 * sum(i * v_i) / (n * sum(v)) - (n + 1) / n with v ascending and i from 1.
 */
export function compileLorenz(d: Dialect): string {
  // rn as BIGINT: ClickHouse numbers rows unsigned and will not join them to a signed key.
  return `WITH r AS (
    SELECT CAST(row_number() OVER (ORDER BY key_actions, user_id) AS BIGINT) AS rn,
      sum(key_actions) OVER (ORDER BY key_actions, user_id ROWS UNBOUNDED PRECEDING) AS cum
    FROM scored),
  t AS (SELECT count(*) AS n, coalesce(sum(key_actions), 0) AS total FROM scored),
  pts AS (${d.percentSteps(5)})
  SELECT pts.pct AS users_percent,
    CASE WHEN t.total = 0 THEN 0 ELSE ${d.divide('coalesce(r.cum, 0)', 't.total')} END AS actions_share
  FROM pts CROSS JOIN t LEFT JOIN r ON r.rn = CAST(floor(pts.pct * t.n / 100) AS BIGINT)
  ORDER BY pts.pct`;
}

export function compileGini(): string {
  return `WITH r AS (SELECT key_actions AS v, row_number() OVER (ORDER BY key_actions, user_id) AS i FROM scored)
  SELECT CASE WHEN count(*) = 0 OR sum(v) = 0 THEN 0
    ELSE 2.0 * sum(i * v) / (count(*) * sum(v)) - (count(*) + 1.0) / count(*) END AS gini
  FROM r`;
}

/** Median and mean of every signal, for power users and for everyone else. */
export function compileGroupStats(d: Dialect): string {
  const cols = SIGNAL_NAMES.flatMap((s) => [
    `${d.median(s)} AS median_${s}`,
    `avg(${s}) AS mean_${s}`,
  ]);
  return `SELECT is_power_user, count(*) AS users, ${cols.join(', ')}
  FROM scored GROUP BY is_power_user`;
}
