import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';
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
  viewPattern: string;
  optimizationPattern: string;
  sources?: SignalSources | undefined;
  reuse?: SignalReuse | undefined;
  /** The engine's SQL dialect. */
  dialect: Dialect;
}

function windowParams(input: SignalsInput): SqlParams {
  return { p: input.projectId, asof: input.asOf, window: input.windowDays };
}

/** Days in the window (asOf - windowDays, asOf]. */
function inWindow(d: Dialect): string {
  const asof = d.param('asof', 'Date');
  return `day > ${d.minusDays(asof, d.param('window', 'Int64'))} AND day <= ${asof}`;
}

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
  const d = input.dialect;
  const p = d.param('p', 'String');
  return {
    userEvent: `SELECT user_id, event, sum(events) AS n FROM ${src.userDayEvent}
    WHERE project_id = ${p} AND NOT anonymous AND ${inWindow(d)} GROUP BY user_id, event`,
    userPropFeature: `SELECT user_id, feature, sum(events) AS n FROM ${src.userDayFeature}
    WHERE project_id = ${p} AND NOT anonymous AND ${inWindow(d)} GROUP BY user_id, feature`,
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
  const d = input.dialect;
  // A ratio of whole numbers to one decimal, as (ten times the ratio) rounded, then tenths: the
  // halves are exact there, so every engine rounds them alike (round(x, 1) meets 0.05 as a binary
  // fraction just above or below it, and engines settle that differently).
  const tenths = (num: string, den: string) => `${d.round(d.divide(`10 * (${num})`, den), 0)} / 10`;
  const cat = compileCatalogueCtes(input, d);
  const hasReleases = input.catalogue.features.some((f) => f.released !== undefined);
  const params: SqlParams = {
    ...cat.params,
    ...windowParams(input),
    early_days: input.catalogue.early_adoption_days,
  };
  const uses = compileWindowUses(input);
  const reuse = input.reuse;
  const p = d.param('p', 'String');
  const asof = d.param('asof', 'Date');
  const window = d.param('window', 'Int64');
  // Active weeks look back 13 weeks; the trend compares with the window before this one.
  const lookBackStart = d.minusDays(asof, `greatest(91, 2 * ${window})`);
  const lookBack = `day > ${lookBackStart} AND day <= ${asof}`;
  const early = earlyAdoptionCte(input, hasReleases);
  const back = `(${asof} - day)`;
  const daysActive = daysActiveExpr(input, back);
  const ctes = `
  -- The window's rows, read once for the per-user sums, the session lengths and the accounts.
  in_window AS (
    SELECT user_id, account_id, day, events, sessions, active_seconds, session_seconds
    FROM ${src.userDay} WHERE project_id = ${p} AND NOT anonymous AND ${inWindow(d)}),
  window_user AS (
    SELECT user_id,
      CAST(${daysActive} AS BIGINT) AS days_active,
      sum(sessions) AS sessions, sum(active_seconds) AS active_seconds, sum(events) AS events,
      ${d.medianOfLists('session_seconds')} AS session_seconds_median,
      min(day) AS first_window_day, max(day) AS last_day
    FROM in_window GROUP BY user_id),
  -- Days (0..6) and weeks (0..12) back from the as-of date as bits of one number: cheaper than a
  -- distinct aggregate, and a user with two accounts on a day still counts it once.
  look_back AS (
    SELECT user_id,
      ${d.bitOrAgg(`CASE WHEN day > ${d.minusDays(asof, '7')} THEN ${d.bit(back)} ELSE ${d.noBits()} END`)} AS day_bits,
      ${d.bitOrAgg(`CASE WHEN day > ${d.minusDays(asof, '91')} THEN ${d.bit(d.intDiv(back, '7'))} ELSE ${d.noBits()} END`)} AS week_bits,
      coalesce(${d.sumIf('events', `day <= ${d.minusDays(asof, window)} AND day > ${d.minusDays(asof, `2 * ${window}`)}`)}, 0) AS previous_events,
      min(day) AS first_recent_day
    FROM ${src.userDay} WHERE project_id = ${p} AND NOT anonymous AND ${lookBack}
    GROUP BY user_id),
  per_day AS (
    SELECT w.user_id AS user_id, w.days_active AS days_active,
      ${d.bitCount('l.day_bits')} AS days_active_7, ${d.bitCount('l.week_bits')} AS active_weeks,
      w.sessions AS sessions, w.active_seconds AS active_seconds, w.events AS events,
      l.previous_events AS previous_events, l.first_recent_day AS first_recent_day,
      w.last_day AS last_day, w.session_seconds_median AS session_seconds_median
    FROM window_user w JOIN look_back l USING (user_id)),
  active AS (SELECT count(*) AS n FROM ${reuse?.scored ?? 'per_day'}),
  -- First day seen before the look-back (the look-back's own first day is in per_day).
  first_seen AS (
    SELECT user_id, min(day) AS first_day FROM ${src.userDay}
    WHERE project_id = ${p} AND NOT anonymous AND day <= ${lookBackStart}
    GROUP BY user_id),
  user_event AS (${reuse ? `SELECT user_id, event, n FROM ${reuse.userEvent}` : uses.userEvent}),
  user_prop_feature AS (
    ${reuse ? `SELECT user_id, feature, n FROM ${reuse.userPropFeature}` : uses.userPropFeature}),
  -- Every event name up to the as-of date with its first day: the catalogue's new features.
  event_history AS (
    SELECT event, min(day) AS first_day, count(*) AS user_days, ${asof} - min(day) + 1 AS days_seen
    FROM ${src.userDayEvent} WHERE project_id = ${p} AND NOT anonymous AND day <= ${asof}
    GROUP BY event),
  ${cat.ctes},
  any_key AS (SELECT count(*) > 0 AS yes FROM feature_info WHERE is_key),
  catalogue_size AS (SELECT count(*) AS n FROM feature_info WHERE NOT is_login),
  per_event AS (
    SELECT u.user_id AS user_id,
      ${d.sumIf('u.n', 'NOT l.is_login AND l.is_counted')} AS actions,
      ${d.sumIf('u.n', 'l.is_login AND l.is_counted')} AS logins,
      ${d.sumIf('u.n', 'NOT l.is_login AND NOT l.is_view AND l.is_counted')} AS non_view_actions
    FROM user_event u JOIN event_login l USING (event) GROUP BY u.user_id),
  per_feature AS (
    SELECT uf.user_id AS user_id,
      ${d.countIf('NOT i.is_login')} AS features,
      ${d.countIf('NOT i.is_login AND NOT i.is_advanced')} AS core_features,
      ${d.countIf('i.is_advanced')} AS advanced_features,
      -- Most used first, then by name.
      ${d.sortedNames('uf.feature', '-uf.n', 'i.is_advanced')} AS advanced_list,
      ${d.sumIf('uf.n', 'i.is_key')} AS key_feature_uses,
      ${d.sumIf('uf.n', 'i.is_collaboration')} AS collaboration,
      ${d.sumIf('uf.n', 'i.is_feedback')} AS feedback,
      ${d.sumIf('uf.n', 'i.is_optimization AND NOT i.is_login')} AS optimization,
      -- Used at least once a week on average, of how many there are.
      ${d.countIf(`i.is_optimization AND NOT i.is_login AND 7 * uf.n >= ${window}`)} AS optimization_weekly,
      max(i.optimization_size) AS optimization_size
    FROM user_feature uf JOIN feature_info i USING (feature) GROUP BY uf.user_id),
  -- A user's account is the one with most of their events in the window (ties: the first id).
  main_account AS (
    SELECT user_id, account_id FROM (
      SELECT user_id, account_id,
        row_number() OVER (PARTITION BY user_id ORDER BY n DESC, account_id) AS rn
      FROM (SELECT user_id, account_id, sum(events) AS n FROM in_window
            WHERE account_id <> '' GROUP BY user_id, account_id))
    WHERE rn = 1),
  ${early},
  signals AS (
    SELECT pd.user_id AS user_id, coalesce(a.account_id, '') AS account_id,
      pd.days_active AS days_active, pd.days_active_7 AS days_active_7,
      pd.active_weeks AS active_weeks, pd.sessions AS sessions,
      CASE WHEN pd.sessions > 0 THEN ${tenths('pd.active_seconds', 'pd.sessions')} ELSE 0 END
        AS session_seconds_mean,
      coalesce(pd.session_seconds_median, 0) AS session_seconds_median,
      pd.active_seconds AS active_seconds, pd.events AS events,
      coalesce(e.actions, 0) AS actions, coalesce(e.logins, 0) AS logins,
      coalesce(f.features, 0) AS features,
      coalesce(f.core_features, 0) AS core_features,
      coalesce(f.advanced_features, 0) AS advanced_features,
      CASE WHEN (SELECT n FROM catalogue_size) > 0
        THEN ${tenths('100 * coalesce(f.features, 0)', '(SELECT n FROM catalogue_size)')}
        ELSE 0 END AS catalogue_coverage,
      CASE WHEN (SELECT yes FROM any_key) THEN coalesce(f.key_feature_uses, 0)
        ELSE coalesce(e.non_view_actions, 0) END AS key_actions,
      coalesce(f.collaboration, 0) AS collaboration, coalesce(f.feedback, 0) AS feedback,
      coalesce(f.optimization, 0) AS optimization,
      CASE WHEN f.optimization_size > 0
        THEN ${tenths('100 * f.optimization_weekly', 'f.optimization_size')}
        ELSE 0 END AS optimization_depth,
      ${asof} - least(pd.first_recent_day, coalesce(fs.first_day, pd.first_recent_day)) AS tenure_days,
      ${asof} - pd.last_day AS days_since_last_seen,
      coalesce(ea.early_adoptions, 0) AS early_adoptions,
      -- No events in the window before: no baseline, so no trend (NULL, "n/a"), not +100%.
      CASE WHEN pd.previous_events > 0
        THEN ${tenths('100 * (pd.events - pd.previous_events)', 'pd.previous_events')}
        ELSE NULL END AS trend,
      ${d.listOrEmpty('f.advanced_list')} AS advanced_list
    FROM per_day pd
    LEFT JOIN per_event e USING (user_id) LEFT JOIN per_feature f USING (user_id)
    LEFT JOIN first_seen fs USING (user_id)
    LEFT JOIN main_account a USING (user_id)
    LEFT JOIN (SELECT user_id, sum(early_adoptions) AS early_adoptions FROM early GROUP BY user_id) ea
      USING (user_id))`;
  return { ctes, params };
}

/**
 * Per user, the features adopted within `early_adoption_days` of their release, as the CTE
 * `early`: configured release dates (by event or by property), and the first day of the features
 * the catalogue infers as new (feature_info.release_inferred, each an event of its own).
 */
function earlyAdoptionCte(input: SignalsInput, hasReleases: boolean): string {
  const src = input.sources ?? ROLLUP_SOURCES;
  const d = input.dialect;
  const p = d.param('p', 'String');
  const asof = d.param('asof', 'Date');
  const earlyDays = d.param('early_days', 'Int64');
  const configured = `
    SELECT e.user_id AS user_id, ${d.countDistinct('i.feature')} AS early_adoptions
    FROM (SELECT user_id, event, day FROM ${src.userDayEvent}
          WHERE project_id = ${p} AND NOT anonymous AND day <= ${asof}) e
    CROSS JOIN (SELECT feature, pattern FROM cat_cfg WHERE NOT by_property) c
    JOIN feature_info i ON i.feature = c.feature
    WHERE ${d.like('e.event', 'c.pattern')} AND i.released IS NOT NULL AND e.day >= i.released
      AND e.day < ${d.plusDays('i.released', earlyDays)}
    GROUP BY e.user_id
    UNION ALL
    SELECT f.user_id AS user_id, ${d.countDistinct('f.feature')} AS early_adoptions
    FROM ${src.userDayFeature} f JOIN feature_info i ON i.feature = f.feature
    WHERE f.project_id = ${p} AND NOT f.anonymous AND f.day <= ${asof} AND i.released IS NOT NULL
      AND f.day >= i.released AND f.day < ${d.plusDays('i.released', earlyDays)}
    GROUP BY f.user_id
    UNION ALL`;
  return `early AS (${hasReleases ? configured : ''}
    SELECT e.user_id AS user_id, ${d.countDistinct('e.event')} AS early_adoptions
    FROM (SELECT user_id, event, day FROM ${src.userDayEvent}
          WHERE project_id = ${p} AND NOT anonymous AND day <= ${asof}) e
    JOIN feature_info i ON i.feature = e.event
    WHERE i.release_inferred AND e.day >= i.released AND e.day < ${d.plusDays('i.released', earlyDays)}
    GROUP BY e.user_id)`;
}

/**
 * Days active in the window: the days as bits of 64-bit words (one word up to 64 days), a
 * distinct count without a distinct aggregate, so a user with two accounts on a day counts it once.
 */
function daysActiveExpr(input: SignalsInput, back: string): string {
  const d = input.dialect;
  const words = Array.from({ length: Math.ceil(input.windowDays / 64) }, (_, k) => {
    const bit = d.bit(k === 0 && input.windowDays <= 64 ? back : `${back} % 64`);
    const word =
      input.windowDays <= 64
        ? bit
        : `CASE WHEN ${d.intDiv(back, '64')} = ${k} THEN ${bit} ELSE ${d.noBits()} END`;
    return d.bitCount(d.bitOrAgg(word));
  });
  return words.join(' + ');
}
