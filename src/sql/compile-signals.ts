import type { SqlParams } from '../engines/engine.js';

export interface SignalsInput {
  projectId: string;
  asOf: string;
  windowDays: number;
  loginPattern: string;
  collaborationPattern: string;
  feedbackPattern: string;
  advancedShare: number;
}

/**
 * Per-user signals over the window (asOf - windowDays, asOf], read from the rollups only. The
 * result is a query named `signals` with one row per user active in the window; `catalogue`
 * holds the inferred kind of every event name.
 */
export function compileSignals(input: SignalsInput): { ctes: string; params: SqlParams } {
  const params: SqlParams = {
    p: input.projectId,
    asof: input.asOf,
    window: input.windowDays,
    login_re: input.loginPattern,
    collab_re: input.collaborationPattern,
    feedback_re: input.feedbackPattern,
    adv_share: input.advancedShare,
  };
  const inWindow = `day > CAST($asof AS DATE) - CAST($window AS INTEGER) AND day <= CAST($asof AS DATE)`;
  const ctes = `
  win AS (SELECT * FROM user_day WHERE project_id = $p AND NOT anonymous AND ${inWindow}),
  active AS (SELECT count(DISTINCT user_id) AS n FROM win),
  user_event AS (
    SELECT user_id, event, sum(events) AS n FROM user_day_event
    WHERE project_id = $p AND NOT anonymous AND ${inWindow} GROUP BY user_id, event),
  catalogue AS (
    SELECT event, users, is_login, is_collaboration, is_feedback,
      NOT is_login AND users < $adv_share * (SELECT n FROM active) AS is_advanced
    FROM (SELECT event, count(*) AS users,
        regexp_matches(lower(event), $login_re) AS is_login,
        regexp_matches(lower(event), $collab_re) AS is_collaboration,
        regexp_matches(lower(event), $feedback_re) AS is_feedback
      FROM user_event GROUP BY event)),
  per_feature AS (
    SELECT e.user_id,
      count(*) FILTER (WHERE NOT c.is_login AND NOT c.is_advanced) AS core_features,
      count(*) FILTER (WHERE c.is_advanced) AS advanced_features,
      list(e.event ORDER BY e.n DESC, e.event) FILTER (WHERE c.is_advanced) AS advanced_list,
      coalesce(sum(e.n) FILTER (WHERE NOT c.is_login), 0) AS actions,
      coalesce(sum(e.n) FILTER (WHERE c.is_collaboration), 0) AS collaboration,
      coalesce(sum(e.n) FILTER (WHERE c.is_feedback), 0) AS feedback
    FROM user_event e JOIN catalogue c USING (event) GROUP BY e.user_id),
  per_day AS (
    SELECT user_id,
      count(DISTINCT day) AS days_active,
      count(DISTINCT day) FILTER (WHERE day > CAST($asof AS DATE) - 7) AS days_active_7,
      sum(sessions) AS sessions, sum(active_seconds) AS active_seconds, sum(events) AS events
    FROM win GROUP BY user_id),
  -- A user's account is the one with most of their events in the window (ties: the first id).
  main_account AS (
    SELECT user_id, account_id FROM (
      SELECT user_id, account_id, sum(events) AS n FROM win WHERE account_id <> ''
      GROUP BY user_id, account_id)
    QUALIFY row_number() OVER (PARTITION BY user_id ORDER BY n DESC, account_id) = 1),
  weeks AS (
    SELECT user_id, count(DISTINCT (CAST($asof AS DATE) - day) // 7) AS active_weeks
    FROM user_day WHERE project_id = $p AND NOT anonymous
      AND day > CAST($asof AS DATE) - 91 AND day <= CAST($asof AS DATE)
    GROUP BY user_id),
  signals AS (
    SELECT d.user_id, coalesce(a.account_id, '') AS account_id, d.days_active, d.days_active_7, w.active_weeks,
      d.sessions, d.active_seconds, d.events,
      coalesce(f.actions, 0) AS actions, coalesce(f.core_features, 0) AS core_features,
      coalesce(f.advanced_features, 0) AS advanced_features,
      coalesce(f.advanced_list, []) AS advanced_list,
      coalesce(f.collaboration, 0) AS collaboration, coalesce(f.feedback, 0) AS feedback
    FROM per_day d LEFT JOIN per_feature f USING (user_id) LEFT JOIN weeks w USING (user_id)
      LEFT JOIN main_account a USING (user_id))`;
  return { ctes, params };
}
