import type { SqlParams, SqlValue } from '../engines/engine.js';
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
export function compileCatalogueConfig(input: CatalogueInput): { cte: string; params: SqlParams } {
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
        rows.push(
          `(CAST($${k}_name AS VARCHAR), CAST($${k}_p${j} AS VARCHAR), CAST($${k}_prop AS BOOLEAN), CAST($${k}_adv AS BOOLEAN), CAST($${k}_login AS BOOLEAN), CAST($${k}_collab AS BOOLEAN), CAST($${k}_feedback AS BOOLEAN), CAST($${k}_key AS BOOLEAN), CAST($${k}_rel AS DATE))`,
        );
      });
  });
  const columns =
    '(feature, pattern, by_property, is_advanced, is_login, is_collaboration, is_feedback, is_key, released)';
  const cte =
    rows.length > 0
      ? `cat_cfg ${columns} AS (VALUES ${rows.join(',\n    ')})`
      : `cat_cfg ${columns} AS (SELECT CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), false, false, false, false, false, false, CAST(NULL AS DATE) WHERE false)`;
  return { cte, params };
}

/**
 * Given `user_event` (user_id, event, n) and `active` (n), the effective catalogue:
 * `event_feature` maps each event name seen to its features (an unlisted event is a feature of its
 * own unless unlisted_events is "ignore"), `feature_info` describes every feature with its users
 * and inferred or configured kind and tags, `event_login` says whether an event name is login-like
 * and whether it counts at all (unlisted events do not when unlisted_events is "ignore").
 */
export function compileCatalogueCtes(input: CatalogueInput): { ctes: string; params: SqlParams } {
  const { cte, params } = compileCatalogueConfig(input);
  Object.assign(params, {
    login_re: input.loginPattern,
    collab_re: input.collaborationPattern,
    feedback_re: input.feedbackPattern,
    adv_share: input.catalogue.advanced_below_percent / 100,
  });
  const inferUnlisted = input.catalogue.unlisted_events === 'infer';
  const ctes = `${cte},
  event_names AS (SELECT DISTINCT event FROM user_event),
  listed AS (
    SELECT DISTINCT e.event, c.feature, c.by_property FROM event_names e
    JOIN cat_cfg c ON e.event LIKE c.pattern ESCAPE '\\'),
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
    UNION SELECT feature FROM event_feature SEMI JOIN user_prop_feature USING (feature)),
  user_feature AS (
    SELECT u.user_id, f.feature, u.n
    FROM user_event u JOIN (SELECT event, feature FROM event_feature ANTI JOIN merged_feature USING (feature)) f
      USING (event)
    UNION ALL
    SELECT user_id, feature, n FROM user_prop_feature ANTI JOIN merged_feature USING (feature)
    UNION ALL
    SELECT user_id, feature, sum(n) AS n FROM (
      SELECT u.user_id, f.feature, u.n
      FROM user_event u JOIN (SELECT event, feature FROM event_feature SEMI JOIN merged_feature USING (feature)) f
        USING (event)
      UNION ALL
      SELECT user_id, feature, n FROM user_prop_feature SEMI JOIN merged_feature USING (feature))
    GROUP BY user_id, feature),
  feature_users AS (SELECT feature, count(*) AS users FROM user_feature GROUP BY feature),
  cfg_feature AS (
    SELECT feature, bool_or(is_advanced) AS is_advanced, bool_or(is_login) AS is_login,
      bool_or(is_collaboration) AS is_collaboration, bool_or(is_feedback) AS is_feedback,
      bool_or(is_key) AS is_key, min(released) AS released
    FROM cat_cfg GROUP BY feature),
  -- A login feature is presence, not use: never advanced, whatever its kind says.
  feature_info AS (
    SELECT f.feature, coalesce(u.users, 0) AS users, c.feature IS NULL AS inferred,
      coalesce(c.is_login, regexp_matches(lower(f.feature), $login_re)) AS is_login,
      coalesce(c.is_collaboration, regexp_matches(lower(f.feature), $collab_re)) AS is_collaboration,
      coalesce(c.is_feedback, regexp_matches(lower(f.feature), $feedback_re)) AS is_feedback,
      coalesce(c.is_key, false) AS is_key,
      coalesce(c.is_advanced AND NOT c.is_login,
        NOT regexp_matches(lower(f.feature), $login_re)
        AND coalesce(u.users, 0) < $adv_share * (SELECT n FROM active)) AS is_advanced,
      c.released
    FROM (SELECT feature FROM cfg_feature UNION SELECT feature FROM feature_users) f
    LEFT JOIN cfg_feature c USING (feature) LEFT JOIN feature_users u USING (feature)),
  -- An event is login-like when a feature that names it is (a property feature's condition is
  -- not looked at here: its event name is login-like as a whole), else by its name; it is counted
  -- (as an action or a login) when the catalogue lists it or infers unlisted events.
  event_login AS (
    SELECT e.event, coalesce(bool_or(i.is_login), regexp_matches(lower(e.event), $login_re)) AS is_login,
      ${inferUnlisted ? 'true' : 'e.event IN (SELECT event FROM listed)'} AS is_counted
    FROM event_names e
    LEFT JOIN (SELECT event, feature FROM listed UNION ALL SELECT event, feature FROM event_feature) f
      USING (event)
    LEFT JOIN feature_info i USING (feature)
    GROUP BY e.event)`;
  return { ctes, params };
}
