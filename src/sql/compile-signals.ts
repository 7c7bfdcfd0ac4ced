import type { SqlParams } from '../engines/engine.js';
import type { Catalogue } from '../model/catalogue.js';
import { compileCatalogueCtes } from './compile-catalogue.js';

/** Where the per-day rows come from: the rollup tables, or (for the benchmark) raw events. */
export interface SignalSources {
  userDay: string;
  userDayEvent: string;
  userDayFeature: string;
}

export const ROLLUP_SOURCES: SignalSources = {
  userDay: 'user_day',
  userDayEvent: 'user_day_event',
  userDayFeature: 'user_day_feature',
};

/**
 * Tables an earlier statement of the same analysis wrote (compileWindowUses), read instead of
 * scanning the rollups again: the scoring and the report's feature adoption both need the uses
 * of every event and feature in the window.
 */
export interface SignalReuse {
  /** (user_id, event, n): compileWindowUses().userEvent. */
  userEvent: string;
  /** (user_id, feature, n): compileWindowUses().userPropFeature. */
  userPropFeature: string;
  /** A table scored from the same window: its rows are the active users (no user_day scan). */
  scored?: string | undefined;
}

export interface SignalsInput {
  projectId: string;
  asOf: string;
  windowDays: number;
  catalogue: Catalogue;
  loginPattern: string;
  collaborationPattern: string;
  feedbackPattern: string;
  sources?: SignalSources | undefined;
  reuse?: SignalReuse | undefined;
}

function windowParams(input: SignalsInput): SqlParams {
  return { p: input.projectId, asof: input.asOf, window: input.windowDays };
}

const WINDOW =
  'day > CAST($asof AS DATE) - CAST($window AS INTEGER) AND day <= CAST($asof AS DATE)';

/**
 * Uses of every event and of every property feature per user over the window: the two largest
 * inputs of the signals, as queries whose results a caller can keep in temp tables and hand back
 * through `reuse` to compileSignals, compileScore and compileFeatures.
 */
export function compileWindowUses(input: SignalsInput): {
  userEvent: string;
  userPropFeature: string;
  params: SqlParams;
} {
  const src = input.sources ?? ROLLUP_SOURCES;
  return {
    userEvent: `SELECT user_id, event, sum(events) AS n FROM ${src.userDayEvent}
    WHERE project_id = $p AND NOT anonymous AND ${WINDOW} GROUP BY user_id, event`,
    userPropFeature: `SELECT user_id, feature, sum(events) AS n FROM ${src.userDayFeature}
    WHERE project_id = $p AND NOT anonymous AND ${WINDOW} GROUP BY user_id, feature`,
    params: windowParams(input),
  };
}

/**
 * Per-user signals over the window (asOf - windowDays, asOf], read from the rollups. The result
 * is a CTE named `signals` with one row per user active in the window (columns: user_id,
 * account_id, every signal of src/model/signals.ts, advanced_list); the catalogue CTEs
 * (`feature_info`, `user_feature`, ...) are there too for the report.
 */
export function compileSignals(input: SignalsInput): { ctes: string; params: SqlParams } {
  const src = input.sources ?? ROLLUP_SOURCES;
  const cat = compileCatalogueCtes(input);
  const hasReleases = input.catalogue.features.some((f) => f.released !== undefined);
  const params: SqlParams = {
    ...cat.params,
    ...windowParams(input),
    early_days: input.catalogue.early_adoption_days,
  };
  const uses = compileWindowUses(input);
  const reuse = input.reuse;
  const asof = 'CAST($asof AS DATE)';
  const inWindow = `day > ${asof} - CAST($window AS INTEGER) AND day <= ${asof}`;
  // Active weeks look back 13 weeks; the trend compares with the window before this one.
  const lookBack = `day > ${asof} - greatest(91, 2 * CAST($window AS INTEGER)) AND day <= ${asof}`;
  const early = hasReleases
    ? `early AS (
    SELECT e.user_id, count(DISTINCT i.feature) AS early_adoptions
    FROM (SELECT user_id, event, day FROM ${src.userDayEvent}
          WHERE project_id = $p AND NOT anonymous AND day <= ${asof}) e
    JOIN cat_cfg c ON NOT c.by_property AND e.event LIKE c.pattern ESCAPE '\\'
    JOIN feature_info i ON i.feature = c.feature
    WHERE i.released IS NOT NULL AND e.day >= i.released
      AND e.day < i.released + CAST($early_days AS INTEGER)
    GROUP BY e.user_id
    UNION ALL
    SELECT f.user_id, count(DISTINCT f.feature)
    FROM ${src.userDayFeature} f JOIN feature_info i ON i.feature = f.feature
    WHERE f.project_id = $p AND NOT f.anonymous AND f.day <= ${asof} AND i.released IS NOT NULL
      AND f.day >= i.released AND f.day < i.released + CAST($early_days AS INTEGER)
    GROUP BY f.user_id)`
    : 'early AS (SELECT CAST(NULL AS VARCHAR) AS user_id, 0 AS early_adoptions WHERE false)';
  // Days of the window as bits of 64-bit words (one word up to 64 days): a distinct count
  // without a distinct aggregate, and a user with two accounts on a day still counts it once.
  const back = `(${asof} - day)`;
  const words = Array.from({ length: Math.ceil(input.windowDays / 64) }, (_, k) => {
    const bit = `CAST(1 AS UBIGINT) << CAST(${k === 0 && input.windowDays <= 64 ? back : `${back} % 64`} AS UBIGINT)`;
    const word =
      input.windowDays <= 64
        ? bit
        : `CASE WHEN ${back} // 64 = ${k} THEN ${bit} ELSE CAST(0 AS UBIGINT) END`;
    return `CAST(bit_count(bit_or(${word})) AS BIGINT)`;
  });
  const ctes = `
  -- The window's rows, read once for the per-user sums, the session lengths and the accounts.
  in_window AS (
    SELECT user_id, account_id, day, events, sessions, active_seconds, session_seconds
    FROM ${src.userDay} WHERE project_id = $p AND NOT anonymous AND ${inWindow}),
  window_user AS (
    SELECT user_id,
      CAST(${words.join(' + ')} AS BIGINT) AS days_active,
      sum(sessions) AS sessions, sum(active_seconds) AS active_seconds, sum(events) AS events,
      list_median(flatten(list(session_seconds))) AS session_seconds_median,
      min(day) AS first_window_day, max(day) AS last_day
    FROM in_window GROUP BY user_id),
  -- Days (0..6) and weeks (0..12) back from the as-of date as bits of one number: cheaper than a
  -- distinct aggregate, and a user with two accounts on a day still counts it once.
  look_back AS (
    SELECT user_id,
      bit_or(CASE WHEN day > ${asof} - 7
        THEN CAST(1 AS BIGINT) << CAST(${asof} - day AS BIGINT) ELSE 0 END) AS day_bits,
      bit_or(CASE WHEN day > ${asof} - 91
        THEN CAST(1 AS BIGINT) << CAST((${asof} - day) // 7 AS BIGINT) ELSE 0 END) AS week_bits,
      coalesce(sum(events) FILTER (WHERE day <= ${asof} - CAST($window AS INTEGER)
        AND day > ${asof} - 2 * CAST($window AS INTEGER)), 0) AS previous_events,
      min(day) AS first_recent_day
    FROM ${src.userDay} WHERE project_id = $p AND NOT anonymous AND ${lookBack}
    GROUP BY user_id),
  per_day AS (
    SELECT w.user_id, w.days_active, CAST(bit_count(l.day_bits) AS BIGINT) AS days_active_7,
      CAST(bit_count(l.week_bits) AS BIGINT) AS active_weeks,
      w.sessions, w.active_seconds, w.events, l.previous_events, l.first_recent_day, w.last_day,
      w.session_seconds_median
    FROM window_user w JOIN look_back l USING (user_id)),
  active AS (SELECT count(*) AS n FROM ${reuse?.scored ?? 'per_day'}),
  -- First day seen before the look-back (the look-back's own first day is in per_day).
  first_seen AS (
    SELECT user_id, min(day) AS first_day FROM ${src.userDay}
    WHERE project_id = $p AND NOT anonymous AND day <= ${asof} - greatest(91, 2 * CAST($window AS INTEGER))
    GROUP BY user_id),
  user_event AS (${reuse ? `SELECT user_id, event, n FROM ${reuse.userEvent}` : uses.userEvent}),
  user_prop_feature AS (
    ${reuse ? `SELECT user_id, feature, n FROM ${reuse.userPropFeature}` : uses.userPropFeature}),
  ${cat.ctes},
  any_key AS (SELECT count(*) > 0 AS yes FROM feature_info WHERE is_key),
  catalogue_size AS (SELECT count(*) AS n FROM feature_info WHERE NOT is_login),
  per_event AS (
    SELECT u.user_id,
      sum(u.n) FILTER (WHERE NOT l.is_login AND l.is_counted) AS actions,
      sum(u.n) FILTER (WHERE l.is_login AND l.is_counted) AS logins
    FROM user_event u JOIN event_login l USING (event) GROUP BY u.user_id),
  per_feature AS (
    SELECT uf.user_id,
      count(*) FILTER (WHERE NOT i.is_login) AS features,
      count(*) FILTER (WHERE NOT i.is_login AND NOT i.is_advanced) AS core_features,
      count(*) FILTER (WHERE i.is_advanced) AS advanced_features,
      -- Most used first, then by name: a sort of each user's short list, not an ordered aggregate.
      list_transform(list_sort(list({n: -uf.n, feature: uf.feature}) FILTER (WHERE i.is_advanced)),
        x -> x.feature) AS advanced_list,
      sum(uf.n) FILTER (WHERE i.is_key) AS key_feature_uses,
      sum(uf.n) FILTER (WHERE i.is_collaboration) AS collaboration,
      sum(uf.n) FILTER (WHERE i.is_feedback) AS feedback
    FROM user_feature uf JOIN feature_info i USING (feature) GROUP BY uf.user_id),
  -- A user's account is the one with most of their events in the window (ties: the first id).
  main_account AS (
    SELECT user_id, account_id FROM (
      SELECT user_id, account_id, sum(events) AS n FROM in_window
      WHERE account_id <> '' GROUP BY user_id, account_id)
    QUALIFY row_number() OVER (PARTITION BY user_id ORDER BY n DESC, account_id) = 1),
  ${early},
  signals AS (
    SELECT d.user_id, coalesce(a.account_id, '') AS account_id,
      d.days_active, d.days_active_7, d.active_weeks, d.sessions,
      CASE WHEN d.sessions > 0 THEN round(d.active_seconds / d.sessions, 1) ELSE 0 END
        AS session_seconds_mean,
      coalesce(d.session_seconds_median, 0) AS session_seconds_median,
      d.active_seconds, d.events,
      coalesce(e.actions, 0) AS actions, coalesce(e.logins, 0) AS logins,
      coalesce(f.features, 0) AS features,
      coalesce(f.core_features, 0) AS core_features,
      coalesce(f.advanced_features, 0) AS advanced_features,
      CASE WHEN (SELECT n FROM catalogue_size) > 0
        THEN round(100.0 * coalesce(f.features, 0) / (SELECT n FROM catalogue_size), 1)
        ELSE 0 END AS catalogue_coverage,
      CASE WHEN (SELECT yes FROM any_key) THEN coalesce(f.key_feature_uses, 0)
        ELSE coalesce(e.actions, 0) END AS key_actions,
      coalesce(f.collaboration, 0) AS collaboration, coalesce(f.feedback, 0) AS feedback,
      ${asof} - least(d.first_recent_day, coalesce(fs.first_day, d.first_recent_day)) AS tenure_days,
      ${asof} - d.last_day AS days_since_last_seen,
      coalesce(ea.early_adoptions, 0) AS early_adoptions,
      CASE WHEN d.previous_events > 0
        THEN round(100.0 * (d.events - d.previous_events) / d.previous_events, 1)
        WHEN d.events > 0 THEN 100 ELSE 0 END AS trend,
      coalesce(f.advanced_list, []) AS advanced_list
    FROM per_day d
    LEFT JOIN per_event e USING (user_id) LEFT JOIN per_feature f USING (user_id)
    LEFT JOIN first_seen fs USING (user_id)
    LEFT JOIN main_account a USING (user_id)
    LEFT JOIN (SELECT user_id, sum(early_adoptions) AS early_adoptions FROM early GROUP BY user_id) ea
      USING (user_id))`;
  return { ctes, params };
}
