import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams, SqlValue } from '../dialect/sql-value.js';
import { type Catalogue, featureEvents, globToLike } from '../model/catalogue.js';

export interface CatalogueInput {
  catalogue: Catalogue;
  /** Zero-config patterns (regular expressions over lower-cased event names). */
  loginPattern: string;
  collaborationPattern: string;
  feedbackPattern: string;
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
    params[`${k}_rel`] = f.released ?? null;
    params[`${k}_prop`] = f.where !== undefined;
    featureEvents(f)
      .map(globToLike)
      .forEach((pattern, j) => {
        params[`${k}_p${j}`] = pattern;
        const b = (name: string) => d.param(`${k}_${name}`, 'Bool');
        rows.push(
          `SELECT ${d.param(`${k}_name`, 'String')} AS feature, ${d.param(`${k}_p${j}`, 'String')} AS pattern, ${b('prop')} AS by_property, ${b('adv')} AS is_advanced, ${b('login')} AS is_login, ${b('collab')} AS is_collaboration, ${b('feedback')} AS is_feedback, ${b('key')} AS is_key, ${d.param(`${k}_rel`, 'Nullable(Date)')} AS released`,
        );
      });
  });
  // One SELECT per row rather than VALUES with a column list, which ClickHouse does not take.
  const cte =
    rows.length > 0
      ? `cat_cfg AS (${rows.join('\n    UNION ALL ')})`
      : `cat_cfg AS (SELECT ${d.nullOf('String')} AS feature, ${d.nullOf('String')} AS pattern, false AS by_property, false AS is_advanced, false AS is_login, false AS is_collaboration, false AS is_feedback, false AS is_key, ${d.nullOf('Date')} AS released WHERE 1 = 0)`;
  return { cte, params };
}

/**
 * Given `user_event` (user_id, event, n) and `active` (n), the effective catalogue:
 * `event_feature` maps each event name seen to its features (an unlisted event is a feature of its
 * own unless unlisted_events is "ignore"), `feature_info` describes every feature with its users
 * and inferred or configured kind and tags, `event_login` says whether an event name is login-like
 * and whether it counts at all (unlisted events do not when unlisted_events is "ignore").
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
    adv_share: input.catalogue.advanced_below_percent / 100,
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
  cfg_feature AS (
    SELECT feature, ${d.boolOr('is_advanced')} AS is_advanced, ${d.boolOr('is_login')} AS is_login,
      ${d.boolOr('is_collaboration')} AS is_collaboration, ${d.boolOr('is_feedback')} AS is_feedback,
      ${d.boolOr('is_key')} AS is_key, min(released) AS released
    FROM cat_cfg GROUP BY feature),
  -- A login feature is presence, not use: never advanced, whatever its kind says.
  feature_info AS (
    SELECT f.feature AS feature, coalesce(u.users, 0) AS users,
      ${d.bool('c.feature IS NULL')} AS inferred,
      coalesce(c.is_login, ${re('lower(f.feature)', 'login_re')}) AS is_login,
      coalesce(c.is_collaboration, ${re('lower(f.feature)', 'collab_re')}) AS is_collaboration,
      coalesce(c.is_feedback, ${re('lower(f.feature)', 'feedback_re')}) AS is_feedback,
      coalesce(c.is_key, false) AS is_key,
      ${d.bool(`coalesce(c.is_advanced AND NOT c.is_login,
        NOT ${re('lower(f.feature)', 'login_re')}
        AND coalesce(u.users, 0) < ${d.param('adv_share', 'Float64')} * (SELECT n FROM active))`)} AS is_advanced,
      c.released AS released
    FROM (SELECT feature FROM cfg_feature UNION SELECT feature FROM feature_users) f
    LEFT JOIN cfg_feature c ON c.feature = f.feature
    LEFT JOIN feature_users u ON u.feature = f.feature),
  -- An event is login-like when a feature that names it is (a property feature's condition is
  -- not looked at here: its event name is login-like as a whole), else by its name; it is counted
  -- (as an action or a login) when the catalogue lists it or infers unlisted events.
  event_login AS (
    SELECT e.event AS event, coalesce(${d.boolOr('i.is_login')}, ${re('lower(e.event)', 'login_re')}) AS is_login,
      ${inferUnlisted ? 'true' : d.bool('e.event IN (SELECT event FROM listed)')} AS is_counted
    FROM event_names e
    LEFT JOIN (SELECT event, feature FROM listed UNION ALL SELECT event, feature FROM event_feature) f
      USING (event)
    LEFT JOIN feature_info i USING (feature)
    GROUP BY e.event)`;
  return { ctes, params };
}
