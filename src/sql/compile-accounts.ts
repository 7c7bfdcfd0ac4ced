import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';
import { snapshotPeriodCtes } from './compile-lifecycle.js';

/**
 * Accounts (docs/lifecycle.md): per customer account, from the last scoring (the table `scored`, each
 * user under the account with most of their events in the window) and from the stored snapshots
 * (src/lifecycle/run-snapshots.ts) for what changed between periods.
 */

/** Users ever seen, active users, power users and the L30 curve per account. */
export function compileAccountTotals(d: Dialect): { sql: string; params: SqlParams } {
  return {
    sql: `WITH ever AS (
    SELECT account_id, ${d.countDistinct('user_id')} AS users FROM user_day
    WHERE project_id = ${d.param('p', 'String')} AND NOT anonymous AND account_id <> ''
    GROUP BY account_id),
  now AS (
    SELECT account_id, count(*) AS active_users, ${d.countIf('is_power_user')} AS power_users
    FROM scored WHERE account_id <> '' GROUP BY account_id)
  SELECT n.account_id AS account_id, coalesce(e.users, n.active_users) AS users,
    n.active_users AS active_users, n.power_users AS power_users
  FROM now n LEFT JOIN ever e ON e.account_id = n.account_id
  ORDER BY power_users DESC, active_users DESC, account_id`,
    params: {},
  };
}

/** Each account's users by days active in the window (its Power User Curve). */
export function compileAccountCurves(d: Dialect): { sql: string; params: SqlParams } {
  return {
    sql: `SELECT account_id, CAST(days_active AS INTEGER) AS days_active, count(*) AS users,
    ${d.countIf('is_power_user')} AS power_users
  FROM scored WHERE account_id <> '' GROUP BY account_id, days_active
  ORDER BY account_id, days_active`,
    params: {},
  };
}

/** The snapshots in period order (compile-lifecycle.ts), and the latest period's number. */
function snapshotCtes(d: Dialect): string {
  const columns = [
    'account_id',
    'is_power_user',
    'events',
    'days_active',
    'days_since_last_seen',
    'as_of',
  ];
  return `${snapshotPeriodCtes(d, columns)},
  latest AS (SELECT max(idx) AS m FROM periods)`;
}

/**
 * Accounts that had a power user in one of the `lookback` periods before the latest, and have
 * none in the latest: the churn risk of docs/lifecycle.md. An account stays flagged, period after
 * period, until it has a power user again (or its last one is older than the lookback). Per
 * account: the power users of its last period with any (`had_power_users`), that period's first
 * day (`last_period`), the first period without (`since`) and how many periods it has been
 * without (`periods_without`, the latest included).
 */
export function compileLostPowerUsers(d: Dialect): { sql: string; params: SqlParams } {
  return {
    sql: `WITH ${snapshotCtes(d)},
  power AS (
    SELECT account_id, idx, count(*) AS n FROM si
    WHERE is_power_user AND account_id <> '' GROUP BY account_id, idx),
  last_power AS (
    SELECT account_id, max(idx) AS last_idx FROM power
    WHERE idx < (SELECT m FROM latest)
      AND idx >= (SELECT m FROM latest) - ${d.param('lookback', 'Int64')}
    GROUP BY account_id),
  current AS (SELECT account_id FROM power WHERE idx = (SELECT m FROM latest))
  SELECT l.account_id AS account_id, p.n AS had_power_users,
    ${d.dateText('b.period_start')} AS last_period, ${d.dateText('a.period_start')} AS since,
    (SELECT m FROM latest) - l.last_idx AS periods_without
  FROM last_power l
  JOIN power p ON p.account_id = l.account_id AND p.idx = l.last_idx
  JOIN periods b ON b.idx = l.last_idx
  JOIN periods a ON a.idx = l.last_idx + 1
  LEFT JOIN current c ON c.account_id = l.account_id
  WHERE c.account_id IS NULL
  ORDER BY had_power_users DESC, account_id`,
    params: {},
  };
}

/**
 * An account's champion gone quiet. The champion is the user who did the most of an account's
 * events in the period before the latest (its window), in an account with at least
 * `champion_min_users` active users then, where one person carrying it means something: a power
 * user who did at least `champion_power_share` of the events, or anyone who did at least
 * `champion_carry_share`. Quiet: at the end of the latest period's window, unseen for at least
 * `quiet_days` and for at least three of their usual gaps then (the window's days over their days
 * active: a gap much longer than their habit), or gone from the window. With what the sentence
 * needs: the events before, the account's, its users, whether a power user, the day the period
 * before was scored as of and the days unseen then and now (null: gone).
 */
export function compileChampionSilent(d: Dialect): { sql: string; params: SqlParams } {
  return {
    sql: `WITH ${snapshotCtes(d)},
  before AS (
    SELECT account_id, user_id, events, is_power_user, days_active, days_since_last_seen, as_of
    FROM si WHERE idx = (SELECT m FROM latest) - 1 AND account_id <> ''),
  totals AS (
    SELECT account_id, sum(events) AS total, max(events) AS top, count(*) AS users FROM before
    GROUP BY account_id),
  champions AS (
    SELECT b.account_id AS account_id, b.user_id AS user_id, b.events AS events,
      b.is_power_user AS is_power_user, b.days_active AS days_active,
      b.days_since_last_seen AS quiet_before, b.as_of AS as_of, t.total AS total, t.users AS users
    FROM before b JOIN totals t ON t.account_id = b.account_id AND b.events = t.top
    WHERE t.total > 0 AND t.users >= ${d.param('champion_min_users', 'Int64')}
      AND ((b.is_power_user AND b.events >= ${d.param('champion_power_share', 'Float64')} * t.total)
        OR b.events >= ${d.param('champion_carry_share', 'Float64')} * t.total)),
  current AS (SELECT user_id, days_since_last_seen FROM si
    WHERE idx = (SELECT m FROM latest))
  SELECT c.account_id AS account_id, c.user_id AS user_id, c.events AS events_before,
    c.total AS account_events_before, c.users AS account_users_before,
    c.is_power_user AS was_power_user, ${d.dateText('c.as_of')} AS before_as_of,
    c.quiet_before AS quiet_before, n.days_since_last_seen AS quiet_days
  FROM champions c LEFT JOIN current n ON n.user_id = c.user_id
  WHERE n.user_id IS NULL OR (n.days_since_last_seen >= ${d.param('quiet_days', 'Int64')}
    AND n.days_since_last_seen * c.days_active >= 3 * ${d.param('window_days', 'Int64')})
  ORDER BY account_id, user_id`,
    params: {},
  };
}

/** Power users of the lookback periods who now appear under another account. */
export function compileMavenMoved(d: Dialect): { sql: string; params: SqlParams } {
  return {
    sql: `WITH ${snapshotCtes(d)},
  earlier AS (
    SELECT user_id, account_id, max(period_start) AS last_period FROM si
    WHERE is_power_user AND account_id <> '' AND idx < (SELECT m FROM latest)
      AND idx >= (SELECT m FROM latest) - ${d.param('lookback', 'Int64')}
    GROUP BY user_id, account_id),
  current AS (SELECT user_id, account_id FROM si
    WHERE idx = (SELECT m FROM latest) AND account_id <> '')
  SELECT e.user_id AS user_id, e.account_id AS from_account, c.account_id AS to_account,
    ${d.dateText('e.last_period')} AS last_period_before
  FROM earlier e JOIN current c ON c.user_id = e.user_id
  WHERE c.account_id <> e.account_id
  ORDER BY user_id, from_account`,
    params: {},
  };
}

/** Power users whose e-mail domain changed: the first identify's domain against the latest's. */
export function compileDomainMoves(d: Dialect): { sql: string; params: SqlParams } {
  const domain = `lower(${d.jsonText('traits', "'$.email'")})`;
  return {
    sql: `WITH mails AS (
    SELECT user_id, timestamp AS seen_at, ${domain} AS email FROM identifies
    WHERE project_id = ${d.param('p', 'String')} AND user_id IS NOT NULL),
  domains AS (
    SELECT user_id, seen_at, substr(email, position('@' IN email) + 1) AS domain FROM mails
    WHERE email LIKE '%@%'),
  spans AS (SELECT user_id, min(seen_at) AS first_at, max(seen_at) AS last_at FROM domains GROUP BY user_id)
  SELECT s.user_id AS user_id, f.domain AS from_domain, l.domain AS to_domain
  FROM spans s
  JOIN domains f ON f.user_id = s.user_id AND f.seen_at = s.first_at
  JOIN domains l ON l.user_id = s.user_id AND l.seen_at = s.last_at
  WHERE f.domain <> l.domain
  ORDER BY user_id`,
    params: {},
  };
}

/** Each user of the last scoring (`scored`): their account, and whether a power user now. */
export function compileScoredUsersNow(): { sql: string; params: SqlParams } {
  return { sql: 'SELECT user_id, account_id, is_power_user FROM scored', params: {} };
}

/**
 * The distinct trait records of some users (a list parameter `ids`), oldest first: identify calls
 * under the user's id, or under an id that resolves to them (a visitor's anonymous id, an aliased
 * id). Repeated identical calls are read once; keys are picked and merged by the caller, whose
 * spellings vary too much for SQL.
 */
export function compileUserTraits(d: Dialect): string {
  const p = d.param('p', 'String');
  const ids = d.param('ids', 'Array(String)');
  const key = 'coalesce(i.user_id, i.anonymous_id)';
  return `SELECT id, traits, max(ts) AS seen_at FROM (
    SELECT coalesce(m.user_id, ${key}) AS id, CAST(i.traits AS VARCHAR) AS traits, i.timestamp AS ts
    FROM identifies i LEFT JOIN (
        SELECT alias_id, user_id FROM identity_map WHERE project_id = ${p}) m
      ON m.alias_id = ${key}
    WHERE i.project_id = ${p} AND i.traits IS NOT NULL
      AND (${d.inList(key, ids)} OR ${key} IN (
        SELECT alias_id FROM identity_map WHERE project_id = ${p} AND ${d.inList('user_id', ids)})))
  WHERE ${d.inList('id', ids)}
  GROUP BY id, traits ORDER BY id, seen_at, traits`;
}

/** The distinct trait records of some accounts (`ids`) from their group calls, oldest first. */
export function compileAccountTraits(d: Dialect): string {
  const p = d.param('p', 'String');
  return `SELECT id, traits, max(ts) AS seen_at FROM (
    SELECT account_id AS id, CAST(traits AS VARCHAR) AS traits, timestamp AS ts
    FROM group_memberships
    WHERE project_id = ${p} AND traits IS NOT NULL
      AND ${d.inList('account_id', d.param('ids', 'Array(String)'))})
  GROUP BY id, traits ORDER BY id, seen_at, traits`;
}
