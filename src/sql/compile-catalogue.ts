import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams, SqlValue } from '../dialect/sql-value.js';
import { type Catalogue, featureEvents, globToLike } from '../model/catalogue.js';

export interface CatalogueInput {
  catalogue: Catalogue;
  /** Zero-config patterns (regular expressions over lower-cased event names). */
  loginPattern: string;
  collaborationPattern: string;
  feedbackPattern: string;
  /** View-like events are not key actions when no feature is tagged key_action. */
  viewPattern: string;
  optimizationPattern: string;
}

/**
 * An inferred feature is new (its first day seen is its release date) when it first shows up at
 * least this many days after the data start...
 */
export const NEW_FEATURE_MIN_DAYS = 7;
/**
 * ... and a feature there all along would have had less than this chance to show none of its uses
 * in the days before: with k uses (rows of user_day_event) in the s days since its first day and g
 * days before it, (s / (g + s))^k. Its first day is then a release, not chance.
 */
export const NEW_FEATURE_MAX_CHANCE = 0.01;

/** The chance a feature there all along would have shown none of its uses before its first day. */
export function chanceUnseen(uses: number, daysBefore: number, daysSince: number): number {
  return (daysSince / (daysBefore + daysSince)) ** uses;
}

/**
 * The feature catalogue as SQL: `cat_cfg` holds the configured features, one row per event
 * pattern (`by_property`: the feature also has property conditions, so its uses come from
 * user_day_feature, and its patterns only say which events the catalogue lists),
 * bound as parameters so no name or pattern is ever SQL text.
 */
export function compileCatalogueConfig(
  input: CatalogueInput,
  d: Dialect,
): { cte: string; params: SqlParams } {
  const params: Record<string, SqlValue> = {};
  const rows: string[] = [];
  input.catalogue.features.forEach((f, i) => {
    const k = `cf${i}`;
    params[`${k}_name`] = f.name;
    params[`${k}_adv`] = f.kind === 'advanced';
    params[`${k}_login`] = f.tags.includes('login');
    params[`${k}_collab`] = f.tags.includes('collaboration');
    params[`${k}_feedback`] = f.tags.includes('feedback');
    params[`${k}_key`] = f.tags.includes('key_action');
    params[`${k}_opt`] = f.tags.includes('optimization');
    params[`${k}_rel`] = f.released ?? null;
    params[`${k}_prop`] = f.where !== undefined;
    featureEvents(f)
      .map(globToLike)
      .forEach((pattern, j) => {
        params[`${k}_p${j}`] = pattern;
        const b = (name: string) => d.param(`${k}_${name}`, 'Bool');
        rows.push(
          `SELECT ${d.param(`${k}_name`, 'String')} AS feature, ${d.param(`${k}_p${j}`, 'String')} AS pattern, ${b('prop')} AS by_property, ${b('adv')} AS is_advanced, ${b('login')} AS is_login, ${b('collab')} AS is_collaboration, ${b('feedback')} AS is_feedback, ${b('key')} AS is_key, ${b('opt')} AS is_optimization, ${d.param(`${k}_rel`, 'Nullable(Date)')} AS released`,
        );
      });
  });
  // One SELECT per row rather than VALUES with a column list, which ClickHouse does not take.
  const cte =
    rows.length > 0
      ? `cat_cfg AS (${rows.join('\n    UNION ALL ')})`
      : `cat_cfg AS (SELECT ${d.nullOf('String')} AS feature, ${d.nullOf('String')} AS pattern, false AS by_property, false AS is_advanced, false AS is_login, false AS is_collaboration, false AS is_feedback, false AS is_key, false AS is_optimization, ${d.nullOf('Date')} AS released WHERE 1 = 0)`;
  return { cte, params };
}

/**
 * Given `user_event` (user_id, event, n), `active` (n) and `event_history` (event, first_day,
 * user_days, days_seen: every event name up to the as-of date with its first day, its rows of
 * user_day_event and the days from its first day to the as-of date), the effective catalogue:
 * `event_feature` maps each event name seen to its features (an unlisted event is a feature of its
 * own unless unlisted_events is "ignore"), `feature_info` describes every feature with its users
 * and inferred or configured kind, tags and release date, `event_login` says whether an event name
 * is login-like or view-like and whether it counts at all (unlisted events do not when
 * unlisted_events is "ignore").
 */
export function compileCatalogueCtes(
  input: CatalogueInput,
  d: Dialect,
): { ctes: string; params: SqlParams } {
  const { cte, params } = compileCatalogueConfig(input, d);
  const re = (expr: string, name: string) => d.regexpMatches(expr, d.param(name, 'String'));
  Object.assign(params, {
    login_re: input.loginPattern,
    collab_re: input.collaborationPattern,
    feedback_re: input.feedbackPattern,
    view_re: input.viewPattern,
    optimization_re: input.optimizationPattern,
    adv_share: input.catalogue.advanced_below_percent / 100,
    new_min_days: NEW_FEATURE_MIN_DAYS,
    // (s / (g + s))^k < chance, in logarithms.
    new_log_odds: -Math.log(NEW_FEATURE_MAX_CHANCE),
  });
  const inferUnlisted = input.catalogue.unlisted_events === 'infer';
  const ctes = `${cte},
  event_names AS (SELECT DISTINCT event FROM user_event),
  -- A pattern match is no equi-join (ClickHouse joins on equalities only): every pair is tried,
  -- event names by catalogue rows, both short lists.
  listed AS (
    SELECT DISTINCT e.event AS event, c.feature AS feature, c.by_property AS by_property
    FROM event_names e
    CROSS JOIN cat_cfg c WHERE ${d.like('e.event', 'c.pattern')}),
  -- An event a property feature names is listed (never inferred), but counts for that feature
  -- only through user_day_feature, where its conditions were checked.
  event_feature AS (
    SELECT DISTINCT event, feature, false AS inferred FROM listed WHERE NOT by_property
    ${inferUnlisted ? 'UNION ALL SELECT event, event, true FROM event_names WHERE event NOT IN (SELECT event FROM listed)' : ''}),
  -- Uses per user and feature. user_event and user_prop_feature have one row per user and name,
  -- so only a feature of several events, or of events and a property condition under the same
  -- name, has its uses summed per user; every other row passes through as it is.
  merged_feature AS (
    SELECT feature FROM event_feature GROUP BY feature HAVING count(*) > 1
    UNION SELECT feature FROM event_feature
    WHERE feature IN (SELECT feature FROM user_prop_feature)),
  user_feature AS (
    SELECT u.user_id AS user_id, f.feature AS feature, u.n AS n
    FROM user_event u JOIN (SELECT event, feature FROM event_feature
      WHERE feature NOT IN (SELECT feature FROM merged_feature)) f USING (event)
    UNION ALL
    SELECT user_id, feature, n FROM user_prop_feature
    WHERE feature NOT IN (SELECT feature FROM merged_feature)
    UNION ALL
    SELECT user_id, feature, sum(n) AS n FROM (
      SELECT u.user_id AS user_id, f.feature AS feature, u.n AS n
      FROM user_event u JOIN (SELECT event, feature FROM event_feature
        WHERE feature IN (SELECT feature FROM merged_feature)) f USING (event)
      UNION ALL
      SELECT user_id, feature, n FROM user_prop_feature
      WHERE feature IN (SELECT feature FROM merged_feature))
    GROUP BY user_id, feature),
  feature_users AS (SELECT feature, count(*) AS users FROM user_feature GROUP BY feature),
  ${featureInfoCtes(d)},
  -- An event is login-like when a feature that names it is (a property feature's condition is
  -- not looked at here: its event name is login-like as a whole), else by its name; it is counted
  -- (as an action or a login) when the catalogue lists it or infers unlisted events.
  event_login AS (
    SELECT e.event AS event, coalesce(${d.boolOr('i.is_login')}, ${re('lower(e.event)', 'login_re')}) AS is_login,
      ${re('lower(e.event)', 'view_re')} AS is_view,
      ${inferUnlisted ? 'true' : d.bool('e.event IN (SELECT event FROM listed)')} AS is_counted
    FROM event_names e
    LEFT JOIN (SELECT event, feature FROM listed UNION ALL SELECT event, feature FROM event_feature) f
      USING (event)
    LEFT JOIN feature_info i USING (feature)
    GROUP BY e.event)`;
  return { ctes, params };
}

/**
 * Every feature's kind, tags and release date, as the CTE `feature_info` (and the steps to it),
 * from `cat_cfg`, `feature_users`, `event_history` and `active`: configured as written, else
 * inferred from the name and the data (see the comments below and docs/definition.md).
 */
function featureInfoCtes(d: Dialect): string {
  const re = (expr: string, name: string) => d.regexpMatches(expr, d.param(name, 'String'));
  return `cfg_feature AS (
    SELECT feature, ${d.boolOr('is_advanced')} AS is_advanced, ${d.boolOr('is_login')} AS is_login,
      ${d.boolOr('is_collaboration')} AS is_collaboration, ${d.boolOr('is_feedback')} AS is_feedback,
      ${d.boolOr('is_key')} AS is_key, ${d.boolOr('is_optimization')} AS is_optimization,
      min(released) AS released
    FROM cat_cfg GROUP BY feature),
  -- Each event name's history with the data's first day (one read: ClickHouse inlines each).
  event_seen AS (SELECT *, min(first_day) OVER () AS data_start FROM event_history),
  -- Tags as configured, else from the name. The release date as configured; an inferred feature
  -- (named as its event, not login-like) is new, released on its first day, when that day comes
  -- new_min_days or more after the data start and its k uses since are too many to have all
  -- missed the g days before by chance: (days_seen / (g + days_seen))^k under the chance whose
  -- logarithm is -new_log_odds (NEW_FEATURE_MAX_CHANCE).
  feature_tags AS (
    SELECT f.feature AS feature, coalesce(u.users, 0) AS users,
      ${d.bool('c.feature IS NULL')} AS inferred,
      coalesce(c.is_login, ${re('lower(f.feature)', 'login_re')}) AS is_login,
      coalesce(c.is_collaboration, ${re('lower(f.feature)', 'collab_re')}) AS is_collaboration,
      coalesce(c.is_feedback, ${re('lower(f.feature)', 'feedback_re')}) AS is_feedback,
      coalesce(c.is_optimization, ${re('lower(f.feature)', 'optimization_re')}) AS is_optimization,
      coalesce(c.is_key, false) AS is_key,
      c.is_advanced AND NOT c.is_login AS configured_advanced,
      CASE WHEN c.feature IS NOT NULL THEN c.released
        WHEN NOT ${re('lower(f.feature)', 'login_re')}
          AND h.first_day >= ${d.plusDays('h.data_start', d.param('new_min_days', 'Int64'))}
          AND h.user_days * ln(${d.divide('h.first_day - h.data_start + h.days_seen', 'h.days_seen')})
            >= ${d.param('new_log_odds', 'Float64')}
        THEN h.first_day END AS released,
      -- What an inferred feature's release was told by (NULL for a configured one).
      CASE WHEN c.feature IS NULL THEN h.first_day END AS first_seen,
      CASE WHEN c.feature IS NULL THEN h.user_days END AS user_days,
      CASE WHEN c.feature IS NULL THEN h.days_seen END AS days_seen,
      CASE WHEN c.feature IS NULL THEN h.data_start END AS data_start
    FROM (SELECT feature FROM cfg_feature UNION SELECT feature FROM feature_users) f
    LEFT JOIN cfg_feature c ON c.feature = f.feature
    LEFT JOIN feature_users u ON u.feature = f.feature
    LEFT JOIN event_seen h ON h.event = f.feature),
  -- The features that may be advanced: not logins (presence, not use), not collaboration or
  -- feedback (counted as such). The median one (the lower of two) is the yardstick of "rarely".
  -- Window functions rather than a second read of feature_tags: ClickHouse inlines every read.
  feature_ranked AS (
    SELECT *, row_number() OVER (PARTITION BY may_be_advanced ORDER BY users, feature) AS rn,
      count(*) OVER (PARTITION BY may_be_advanced) AS n
    FROM (SELECT *, ${d.bool('NOT is_login AND NOT is_collaboration AND NOT is_feedback AND users > 0')} AS may_be_advanced
          FROM feature_tags)),
  feature_median AS (
    SELECT *, max(CASE WHEN may_be_advanced AND 2 * rn IN (n, n + 1) THEN users END) OVER ()
        AS median_users,
      count(CASE WHEN is_optimization AND NOT is_login THEN 1 END) OVER () AS optimization_size
    FROM feature_ranked),
  -- An inferred feature is advanced when fewer than advanced_below_percent of the active users
  -- used it, or fewer than half as many as the median feature: a product whose features are all
  -- widely used still sets its rarely used ones apart. A login feature is never advanced.
  feature_info AS (
    SELECT t.feature AS feature, t.users AS users, t.inferred AS inferred, t.is_login AS is_login,
      t.is_collaboration AS is_collaboration, t.is_feedback AS is_feedback,
      t.is_optimization AS is_optimization, t.is_key AS is_key,
      ${d.bool(`coalesce(t.configured_advanced, t.may_be_advanced
        AND (t.users < ${d.param('adv_share', 'Float64')} * (SELECT n FROM active)
          OR 2 * t.users < coalesce(t.median_users, 0)))`)} AS is_advanced,
      t.released AS released, ${d.bool('t.inferred AND t.released IS NOT NULL')} AS release_inferred,
      t.first_seen AS first_seen, t.user_days AS user_days, t.days_seen AS days_seen,
      t.data_start AS data_start, t.median_users AS median_users,
      t.optimization_size AS optimization_size
    FROM feature_median t)`;
}
