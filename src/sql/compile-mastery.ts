import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';

/** How a feature counts as mastered: on enough distinct days, or among its top users by uses. */
export type MasteryRule = { minDays: number } | { topPercent: number };

export interface MasteryInput {
  projectId: string;
  /** The event name the feature is. */
  feature: string;
  /** The window (asOf - windowDays, asOf], as the definition's window_days. */
  asOf: string;
  windowDays: number;
  rule: MasteryRule;
  /** Whose stored snapshots give each user's score and segments now (the latest period). */
  definition: string;
  period: string;
  dialect: Dialect;
}

/**
 * Every event name the project's rollup has ever seen (anonymous rows too: the event exists),
 * in order: what a mastered_feature playbook's feature is checked against, and where the names
 * it may have meant come from.
 */
export function compileKnownEvents(
  d: Dialect,
  projectId: string,
): { sql: string; params: SqlParams } {
  return {
    sql: `SELECT DISTINCT event FROM user_day_event WHERE project_id = ${d.param('p', 'String')}
  ORDER BY event`,
    params: { p: projectId },
  };
}

/**
 * The users who mastered one feature in the window, read from the daily per-user rollup of
 * events (user_day_event, anonymous rows left out as in every ranking): their distinct days
 * with it and their uses (events), their rank by uses among all its users in the window
 * (rank(): tied users share a rank, so a tie at the cut-off is in) and how many users it had,
 * the cut-off ceil(users * P / 100) for top_percent (rounded to 9 decimals first, so that
 * 40 * 10 / 100 is 4 on every engine whatever the binary fractions do).
 * Each row also has the user's account (the one with most of their events in the window, ties
 * the first id, as the reports choose it) and, from the latest stored snapshot of the
 * definition that starts on or before `asOf`, whether they are in it, their score and segments
 * (0 and none when absent).
 */
export function compileMasteredUsers(input: MasteryInput): { sql: string; params: SqlParams } {
  const d = input.dialect;
  const p = d.param('p', 'String');
  const asof = d.date(d.param('asof', 'Date'));
  const inWindow = `day > ${d.minusDays(asof, d.param('window', 'Int64'))} AND day <= ${asof}`;
  const snapKey = (t: string) =>
    `${t}.project_id = ${p} AND ${t}.definition = ${d.param('def', 'String')}
      AND ${t}.period = ${d.param('period', 'String')}`;
  const topPercent = 'topPercent' in input.rule;
  const cutoff = topPercent
    ? `CAST(ceil(${d.round(d.divide(`users_of_feature * ${d.param('top', 'Float64')}`, '100'), 9)}) AS BIGINT)`
    : d.nullOf('Int64');
  const rule = topPercent
    ? 'r.uses_rank <= r.cutoff'
    : `r.days_used >= ${d.param('min_days', 'Int64')}`;
  const params: SqlParams = {
    p: input.projectId,
    feature: input.feature,
    asof: input.asOf,
    window: input.windowDays,
    def: input.definition,
    period: input.period,
    ...('topPercent' in input.rule
      ? { top: input.rule.topPercent }
      : { min_days: input.rule.minDays }),
  };
  return {
    sql: `WITH uses AS (
    SELECT user_id, CAST(${d.countDistinct('day')} AS BIGINT) AS days_used,
      CAST(sum(events) AS BIGINT) AS uses
    FROM user_day_event
    WHERE project_id = ${p} AND NOT anonymous AND event = ${d.param('feature', 'String')}
      AND ${inWindow}
    GROUP BY user_id),
  counted AS (
    SELECT user_id, days_used, uses,
      CAST(rank() OVER (ORDER BY uses DESC) AS BIGINT) AS uses_rank,
      CAST(count(*) OVER () AS BIGINT) AS users_of_feature
    FROM uses),
  ranked AS (
    SELECT user_id, days_used, uses, uses_rank, users_of_feature, ${cutoff} AS cutoff FROM counted),
  mastered AS (
    SELECT r.user_id AS user_id, r.days_used AS days_used, r.uses AS uses,
      r.uses_rank AS uses_rank, r.users_of_feature AS users_of_feature, r.cutoff AS cutoff
    FROM ranked r WHERE ${rule}),
  -- The account with most of the user's events in the window (ties: the first id).
  account_events AS (
    SELECT user_id, account_id, sum(events) AS n FROM user_day
    WHERE project_id = ${p} AND NOT anonymous AND account_id <> '' AND ${inWindow}
      AND user_id IN (SELECT user_id FROM mastered)
    GROUP BY user_id, account_id),
  main_account AS (
    SELECT user_id, account_id FROM (
      SELECT user_id, account_id,
        row_number() OVER (PARTITION BY user_id ORDER BY n DESC, account_id) AS rn
      FROM account_events) a
    WHERE rn = 1),
  snapshot AS (
    SELECT s.user_id AS user_id, s.score AS score, s.segments AS segments
    FROM user_snapshots s
    WHERE ${snapKey('s')} AND s.period_start = (
      SELECT max(l.period_start) FROM user_snapshots l
      WHERE ${snapKey('l')} AND l.period_start <= ${asof}))
  SELECT m.user_id AS user_id, m.days_used AS days_used, m.uses AS uses, m.uses_rank AS uses_rank,
    m.users_of_feature AS users_of_feature, m.cutoff AS cutoff,
    coalesce(a.account_id, '') AS account_id,
    ${d.bool('s.user_id IS NOT NULL')} AS present, coalesce(s.score, 0) AS score,
    coalesce(s.segments, '') AS segments
  FROM mastered m
  LEFT JOIN main_account a ON a.user_id = m.user_id
  LEFT JOIN snapshot s ON s.user_id = m.user_id
  ORDER BY user_id`,
    params,
  };
}
