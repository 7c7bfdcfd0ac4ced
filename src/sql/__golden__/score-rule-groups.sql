WITH 
  -- The window's rows, read once for the per-user sums, the session lengths and the accounts.
  in_window AS (
    SELECT user_id, account_id, day, events, sessions, active_seconds, session_seconds
    FROM user_day WHERE project_id = CAST($p AS VARCHAR) AND NOT anonymous AND day > (CAST($asof AS DATE) - CAST(CAST($window AS BIGINT) AS INTEGER)) AND day <= CAST($asof AS DATE)),
  window_user AS (
    SELECT user_id,
      CAST(CAST(bit_count(bit_or((CAST(1 AS UBIGINT) << CAST((CAST($asof AS DATE) - day) AS UBIGINT)))) AS BIGINT) AS BIGINT) AS days_active,
      sum(sessions) AS sessions, sum(active_seconds) AS active_seconds, sum(events) AS events,
      list_median(flatten(list(session_seconds))) AS session_seconds_median,
      min(day) AS first_window_day, max(day) AS last_day
    FROM in_window GROUP BY user_id),
  -- Days (0..6) and weeks (0..12) back from the as-of date as bits of one number: cheaper than a
  -- distinct aggregate, and a user with two accounts on a day still counts it once.
  look_back AS (
    SELECT user_id,
      bit_or(CASE WHEN day > (CAST($asof AS DATE) - CAST(7 AS INTEGER)) THEN (CAST(1 AS UBIGINT) << CAST((CAST($asof AS DATE) - day) AS UBIGINT)) ELSE CAST(0 AS UBIGINT) END) AS day_bits,
      bit_or(CASE WHEN day > (CAST($asof AS DATE) - CAST(91 AS INTEGER)) THEN (CAST(1 AS UBIGINT) << CAST(((CAST($asof AS DATE) - day) // 7) AS UBIGINT)) ELSE CAST(0 AS UBIGINT) END) AS week_bits,
      coalesce(sum(events) FILTER (WHERE day <= (CAST($asof AS DATE) - CAST(CAST($window AS BIGINT) AS INTEGER)) AND day > (CAST($asof AS DATE) - CAST(2 * CAST($window AS BIGINT) AS INTEGER))), 0) AS previous_events,
      min(day) AS first_recent_day
    FROM user_day WHERE project_id = CAST($p AS VARCHAR) AND NOT anonymous AND day > (CAST($asof AS DATE) - CAST(greatest(91, 2 * CAST($window AS BIGINT)) AS INTEGER)) AND day <= CAST($asof AS DATE)
    GROUP BY user_id),
  per_day AS (
    SELECT w.user_id AS user_id, w.days_active AS days_active,
      CAST(bit_count(l.day_bits) AS BIGINT) AS days_active_7, CAST(bit_count(l.week_bits) AS BIGINT) AS active_weeks,
      w.sessions AS sessions, w.active_seconds AS active_seconds, w.events AS events,
      l.previous_events AS previous_events, l.first_recent_day AS first_recent_day,
      w.last_day AS last_day, w.session_seconds_median AS session_seconds_median
    FROM window_user w JOIN look_back l USING (user_id)),
  active AS (SELECT count(*) AS n FROM per_day),
  -- First day seen before the look-back (the look-back's own first day is in per_day).
  first_seen AS (
    SELECT user_id, min(day) AS first_day FROM user_day
    WHERE project_id = CAST($p AS VARCHAR) AND NOT anonymous AND day <= (CAST($asof AS DATE) - CAST(greatest(91, 2 * CAST($window AS BIGINT)) AS INTEGER))
    GROUP BY user_id),
  user_event AS (SELECT user_id, event, sum(events) AS n FROM user_day_event
    WHERE project_id = CAST($p AS VARCHAR) AND NOT anonymous AND day > (CAST($asof AS DATE) - CAST(CAST($window AS BIGINT) AS INTEGER)) AND day <= CAST($asof AS DATE) GROUP BY user_id, event),
  user_prop_feature AS (
    SELECT user_id, feature, sum(events) AS n FROM user_day_feature
    WHERE project_id = CAST($p AS VARCHAR) AND NOT anonymous AND day > (CAST($asof AS DATE) - CAST(CAST($window AS BIGINT) AS INTEGER)) AND day <= CAST($asof AS DATE) GROUP BY user_id, feature),
  -- Every event name up to the as-of date with its first day: the catalogue's new features.
  event_history AS (
    SELECT event, min(day) AS first_day, count(*) AS user_days, CAST($asof AS DATE) - min(day) + 1 AS days_seen
    FROM user_day_event WHERE project_id = CAST($p AS VARCHAR) AND NOT anonymous AND day <= CAST($asof AS DATE)
    GROUP BY event),
  cat_cfg AS (SELECT CAST($cf0_name AS VARCHAR) AS feature, CAST($cf0_p0 AS VARCHAR) AS pattern, CAST($cf0_prop AS BOOLEAN) AS by_property, CAST($cf0_adv AS BOOLEAN) AS is_advanced, CAST($cf0_login AS BOOLEAN) AS is_login, CAST($cf0_collab AS BOOLEAN) AS is_collaboration, CAST($cf0_feedback AS BOOLEAN) AS is_feedback, CAST($cf0_key AS BOOLEAN) AS is_key, CAST($cf0_opt AS BOOLEAN) AS is_optimization, CAST($cf0_rel AS DATE) AS released
    UNION ALL SELECT CAST($cf0_name AS VARCHAR) AS feature, CAST($cf0_p1 AS VARCHAR) AS pattern, CAST($cf0_prop AS BOOLEAN) AS by_property, CAST($cf0_adv AS BOOLEAN) AS is_advanced, CAST($cf0_login AS BOOLEAN) AS is_login, CAST($cf0_collab AS BOOLEAN) AS is_collaboration, CAST($cf0_feedback AS BOOLEAN) AS is_feedback, CAST($cf0_key AS BOOLEAN) AS is_key, CAST($cf0_opt AS BOOLEAN) AS is_optimization, CAST($cf0_rel AS DATE) AS released
    UNION ALL SELECT CAST($cf1_name AS VARCHAR) AS feature, CAST($cf1_p0 AS VARCHAR) AS pattern, CAST($cf1_prop AS BOOLEAN) AS by_property, CAST($cf1_adv AS BOOLEAN) AS is_advanced, CAST($cf1_login AS BOOLEAN) AS is_login, CAST($cf1_collab AS BOOLEAN) AS is_collaboration, CAST($cf1_feedback AS BOOLEAN) AS is_feedback, CAST($cf1_key AS BOOLEAN) AS is_key, CAST($cf1_opt AS BOOLEAN) AS is_optimization, CAST($cf1_rel AS DATE) AS released
    UNION ALL SELECT CAST($cf2_name AS VARCHAR) AS feature, CAST($cf2_p0 AS VARCHAR) AS pattern, CAST($cf2_prop AS BOOLEAN) AS by_property, CAST($cf2_adv AS BOOLEAN) AS is_advanced, CAST($cf2_login AS BOOLEAN) AS is_login, CAST($cf2_collab AS BOOLEAN) AS is_collaboration, CAST($cf2_feedback AS BOOLEAN) AS is_feedback, CAST($cf2_key AS BOOLEAN) AS is_key, CAST($cf2_opt AS BOOLEAN) AS is_optimization, CAST($cf2_rel AS DATE) AS released
    UNION ALL SELECT CAST($cf3_name AS VARCHAR) AS feature, CAST($cf3_p0 AS VARCHAR) AS pattern, CAST($cf3_prop AS BOOLEAN) AS by_property, CAST($cf3_adv AS BOOLEAN) AS is_advanced, CAST($cf3_login AS BOOLEAN) AS is_login, CAST($cf3_collab AS BOOLEAN) AS is_collaboration, CAST($cf3_feedback AS BOOLEAN) AS is_feedback, CAST($cf3_key AS BOOLEAN) AS is_key, CAST($cf3_opt AS BOOLEAN) AS is_optimization, CAST($cf3_rel AS DATE) AS released
    UNION ALL SELECT CAST($cf4_name AS VARCHAR) AS feature, CAST($cf4_p0 AS VARCHAR) AS pattern, CAST($cf4_prop AS BOOLEAN) AS by_property, CAST($cf4_adv AS BOOLEAN) AS is_advanced, CAST($cf4_login AS BOOLEAN) AS is_login, CAST($cf4_collab AS BOOLEAN) AS is_collaboration, CAST($cf4_feedback AS BOOLEAN) AS is_feedback, CAST($cf4_key AS BOOLEAN) AS is_key, CAST($cf4_opt AS BOOLEAN) AS is_optimization, CAST($cf4_rel AS DATE) AS released),
  event_names AS (SELECT DISTINCT event FROM user_event),
  -- A pattern match is no equi-join (ClickHouse joins on equalities only): every pair is tried,
  -- event names by catalogue rows, both short lists.
  listed AS (
    SELECT DISTINCT e.event AS event, c.feature AS feature, c.by_property AS by_property
    FROM event_names e
    CROSS JOIN cat_cfg c WHERE e.event LIKE c.pattern ESCAPE '\'),
  -- An event a property feature names is listed (never inferred), but counts for that feature
  -- only through user_day_feature, where its conditions were checked.
  event_feature AS (
    SELECT DISTINCT event, feature, false AS inferred FROM listed WHERE NOT by_property
    ),
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
    SELECT feature, bool_or(is_advanced) AS is_advanced, bool_or(is_login) AS is_login,
      bool_or(is_collaboration) AS is_collaboration, bool_or(is_feedback) AS is_feedback,
      bool_or(is_key) AS is_key, bool_or(is_optimization) AS is_optimization,
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
      c.feature IS NULL AS inferred,
      coalesce(c.is_login, regexp_matches(lower(f.feature), CAST($login_re AS VARCHAR))) AS is_login,
      coalesce(c.is_collaboration, regexp_matches(lower(f.feature), CAST($collab_re AS VARCHAR))) AS is_collaboration,
      coalesce(c.is_feedback, regexp_matches(lower(f.feature), CAST($feedback_re AS VARCHAR))) AS is_feedback,
      coalesce(c.is_optimization, regexp_matches(lower(f.feature), CAST($optimization_re AS VARCHAR))) AS is_optimization,
      coalesce(c.is_key, false) AS is_key,
      c.is_advanced AND NOT c.is_login AS configured_advanced,
      CASE WHEN c.feature IS NOT NULL THEN c.released
        WHEN NOT regexp_matches(lower(f.feature), CAST($login_re AS VARCHAR))
          AND h.first_day >= (h.data_start + CAST(CAST($new_min_days AS BIGINT) AS INTEGER))
          AND h.user_days * ln((CAST(h.first_day - h.data_start + h.days_seen AS DOUBLE) / h.days_seen))
            >= CAST($new_log_odds AS DOUBLE)
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
    FROM (SELECT *, NOT is_login AND NOT is_collaboration AND NOT is_feedback AND users > 0 AS may_be_advanced
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
      coalesce(t.configured_advanced, t.may_be_advanced
        AND (t.users < CAST($adv_share AS DOUBLE) * (SELECT n FROM active)
          OR 2 * t.users < coalesce(t.median_users, 0))) AS is_advanced,
      t.released AS released, t.inferred AND t.released IS NOT NULL AS release_inferred,
      t.first_seen AS first_seen, t.user_days AS user_days, t.days_seen AS days_seen,
      t.data_start AS data_start, t.median_users AS median_users,
      t.optimization_size AS optimization_size
    FROM feature_median t),
  -- An event is login-like when a feature that names it is (a property feature's condition is
  -- not looked at here: its event name is login-like as a whole), else by its name; it is counted
  -- (as an action or a login) when the catalogue lists it or infers unlisted events.
  event_login AS (
    SELECT e.event AS event, coalesce(bool_or(i.is_login), regexp_matches(lower(e.event), CAST($login_re AS VARCHAR))) AS is_login,
      regexp_matches(lower(e.event), CAST($view_re AS VARCHAR)) AS is_view,
      e.event IN (SELECT event FROM listed) AS is_counted
    FROM event_names e
    LEFT JOIN (SELECT event, feature FROM listed UNION ALL SELECT event, feature FROM event_feature) f
      USING (event)
    LEFT JOIN feature_info i USING (feature)
    GROUP BY e.event),
  any_key AS (SELECT count(*) > 0 AS yes FROM feature_info WHERE is_key),
  catalogue_size AS (SELECT count(*) AS n FROM feature_info WHERE NOT is_login),
  per_event AS (
    SELECT u.user_id AS user_id,
      sum(u.n) FILTER (WHERE NOT l.is_login AND l.is_counted) AS actions,
      sum(u.n) FILTER (WHERE l.is_login AND l.is_counted) AS logins,
      sum(u.n) FILTER (WHERE NOT l.is_login AND NOT l.is_view AND l.is_counted) AS non_view_actions
    FROM user_event u JOIN event_login l USING (event) GROUP BY u.user_id),
  per_feature AS (
    SELECT uf.user_id AS user_id,
      count(*) FILTER (WHERE NOT i.is_login) AS features,
      count(*) FILTER (WHERE NOT i.is_login AND NOT i.is_advanced) AS core_features,
      count(*) FILTER (WHERE i.is_advanced) AS advanced_features,
      -- Most used first, then by name.
      list_transform(list_sort(list({k: -uf.n, name: uf.feature}) FILTER (WHERE i.is_advanced)), x -> x.name) AS advanced_list,
      sum(uf.n) FILTER (WHERE i.is_key) AS key_feature_uses,
      sum(uf.n) FILTER (WHERE i.is_collaboration) AS collaboration,
      sum(uf.n) FILTER (WHERE i.is_feedback) AS feedback,
      sum(uf.n) FILTER (WHERE i.is_optimization AND NOT i.is_login) AS optimization,
      -- Used at least once a week on average, of how many there are.
      count(*) FILTER (WHERE i.is_optimization AND NOT i.is_login AND 7 * uf.n >= CAST($window AS BIGINT)) AS optimization_weekly,
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
  early AS (
    SELECT e.user_id AS user_id, count(DISTINCT i.feature) AS early_adoptions
    FROM (SELECT user_id, event, day FROM user_day_event
          WHERE project_id = CAST($p AS VARCHAR) AND NOT anonymous AND day <= CAST($asof AS DATE)) e
    CROSS JOIN (SELECT feature, pattern FROM cat_cfg WHERE NOT by_property) c
    JOIN feature_info i ON i.feature = c.feature
    WHERE e.event LIKE c.pattern ESCAPE '\' AND i.released IS NOT NULL AND e.day >= i.released
      AND e.day < (i.released + CAST(CAST($early_days AS BIGINT) AS INTEGER))
    GROUP BY e.user_id
    UNION ALL
    SELECT f.user_id AS user_id, count(DISTINCT f.feature) AS early_adoptions
    FROM user_day_feature f JOIN feature_info i ON i.feature = f.feature
    WHERE f.project_id = CAST($p AS VARCHAR) AND NOT f.anonymous AND f.day <= CAST($asof AS DATE) AND i.released IS NOT NULL
      AND f.day >= i.released AND f.day < (i.released + CAST(CAST($early_days AS BIGINT) AS INTEGER))
    GROUP BY f.user_id
    UNION ALL
    SELECT e.user_id AS user_id, count(DISTINCT e.event) AS early_adoptions
    FROM (SELECT user_id, event, day FROM user_day_event
          WHERE project_id = CAST($p AS VARCHAR) AND NOT anonymous AND day <= CAST($asof AS DATE)) e
    JOIN feature_info i ON i.feature = e.event
    WHERE i.release_inferred AND e.day >= i.released AND e.day < (i.released + CAST(CAST($early_days AS BIGINT) AS INTEGER))
    GROUP BY e.user_id),
  signals AS (
    SELECT pd.user_id AS user_id, coalesce(a.account_id, '') AS account_id,
      pd.days_active AS days_active, pd.days_active_7 AS days_active_7,
      pd.active_weeks AS active_weeks, pd.sessions AS sessions,
      CASE WHEN pd.sessions > 0 THEN round((CAST(10 * (pd.active_seconds) AS DOUBLE) / pd.sessions), 0) / 10 ELSE 0 END
        AS session_seconds_mean,
      coalesce(pd.session_seconds_median, 0) AS session_seconds_median,
      pd.active_seconds AS active_seconds, pd.events AS events,
      coalesce(e.actions, 0) AS actions, coalesce(e.logins, 0) AS logins,
      coalesce(f.features, 0) AS features,
      coalesce(f.core_features, 0) AS core_features,
      coalesce(f.advanced_features, 0) AS advanced_features,
      CASE WHEN (SELECT n FROM catalogue_size) > 0
        THEN round((CAST(10 * (100 * coalesce(f.features, 0)) AS DOUBLE) / (SELECT n FROM catalogue_size)), 0) / 10
        ELSE 0 END AS catalogue_coverage,
      CASE WHEN (SELECT yes FROM any_key) THEN coalesce(f.key_feature_uses, 0)
        ELSE coalesce(e.non_view_actions, 0) END AS key_actions,
      coalesce(f.collaboration, 0) AS collaboration, coalesce(f.feedback, 0) AS feedback,
      coalesce(f.optimization, 0) AS optimization,
      CASE WHEN f.optimization_size > 0
        THEN round((CAST(10 * (100 * f.optimization_weekly) AS DOUBLE) / f.optimization_size), 0) / 10
        ELSE 0 END AS optimization_depth,
      CAST($asof AS DATE) - least(pd.first_recent_day, coalesce(fs.first_day, pd.first_recent_day)) AS tenure_days,
      CAST($asof AS DATE) - pd.last_day AS days_since_last_seen,
      coalesce(ea.early_adoptions, 0) AS early_adoptions,
      -- No events in the window before: no baseline, so no trend (NULL, "n/a"), not +100%.
      CASE WHEN pd.previous_events > 0
        THEN round((CAST(10 * (100 * (pd.events - pd.previous_events)) AS DOUBLE) / pd.previous_events), 0) / 10
        ELSE NULL END AS trend,
      coalesce(f.advanced_list, []) AS advanced_list
    FROM per_day pd
    LEFT JOIN per_event e USING (user_id) LEFT JOIN per_feature f USING (user_id)
    LEFT JOIN first_seen fs USING (user_id)
    LEFT JOIN main_account a USING (user_id)
    LEFT JOIN (SELECT user_id, sum(early_adoptions) AS early_adoptions FROM early GROUP BY user_id) ea
      USING (user_id)),
  ranks AS (SELECT user_id, cume_dist() OVER (ORDER BY days_active DESC) AS top_days_active, cume_dist() OVER (ORDER BY days_since_last_seen ASC) AS top_days_since_last_seen, cume_dist() OVER (ORDER BY features DESC) AS top_features, cume_dist() OVER (ORDER BY catalogue_coverage DESC) AS top_catalogue_coverage, cume_dist() OVER (ORDER BY collaboration DESC) AS top_collaboration, cume_dist() OVER (ORDER BY feedback DESC) AS top_feedback, cume_dist() OVER (ORDER BY trend DESC NULLS LAST) AS top_trend, cume_dist() OVER (ORDER BY session_seconds_median DESC) AS top_session_seconds_median FROM (SELECT user_id, days_active, days_since_last_seen, features, catalogue_coverage, collaboration, feedback, trend, session_seconds_median FROM signals)),
  ranked AS (SELECT s.*, r.top_days_active AS top_days_active, r.top_days_since_last_seen AS top_days_since_last_seen, r.top_features AS top_features, r.top_catalogue_coverage AS top_catalogue_coverage, r.top_collaboration AS top_collaboration, r.top_feedback AS top_feedback, r.top_trend AS top_trend, r.top_session_seconds_median AS top_session_seconds_median FROM signals s JOIN ranks r USING (user_id)),
  barred AS (SELECT *, coalesce(min(CASE WHEN top_catalogue_coverage <= 0.250000000000 THEN catalogue_coverage END) OVER (), max(catalogue_coverage) OVER ()) AS bar_catalogue_coverage FROM ranked),
  judged AS (SELECT *, days_active >= 5 AS pass_often, ln(1 + days_active) - ln(6) AS margin_often, days_since_last_seen <= 2 AS pass_recent, ln(3) - ln(1 + days_since_last_seen) AS margin_recent, features >= 4 AS pass_features, ln(1 + features) - ln(5) AS margin_features, top_catalogue_coverage <= 0.250000000000 AS pass_catalogue_coverage, ln(1 + catalogue_coverage) - ln(1 + bar_catalogue_coverage) AS margin_catalogue_coverage, collaboration >= 1 AS pass_collaboration, ln(1 + collaboration) - ln(2) AS margin_collaboration, feedback >= 1 AS pass_feedback, ln(1 + feedback) - ln(2) AS margin_feedback, coalesce(trend <= -10, false) AS pass_trend, coalesce((-ln(11)) - (sign(trend) * ln(1 + abs(trend))), 0.0) AS margin_trend, session_seconds_median >= 90.5000000000 AS pass_session_seconds_median, ln(1 + session_seconds_median) - ln(91.5000000000) AS margin_session_seconds_median FROM barred),
  verdict AS (
    SELECT *, (pass_often AND pass_recent AND (pass_features OR pass_catalogue_coverage) AND ((CAST(pass_collaboration AS INTEGER) + CAST(pass_feedback AS INTEGER) + CAST(pass_trend AS INTEGER) + CAST(pass_session_seconds_median AS INTEGER)) >= 2)) AS is_power_user, (margin_often + margin_recent + margin_features + margin_catalogue_coverage + margin_collaboration + margin_feedback + margin_trend + margin_session_seconds_median) / 8 AS score_margin
    FROM judged)
  SELECT *, CASE WHEN is_power_user THEN round(50 + (50.0 / (1 + exp(-greatest(-30.0, least(30.0, score_margin))))), 1)
    ELSE least(49.9, round(50 * (((least(1.0, greatest(0.0, days_active / 5))) + (CASE WHEN days_since_last_seen <= 2 THEN 1.0 ELSE 2 / days_since_last_seen END) + greatest((least(1.0, greatest(0.0, features / 4))), (least(1.0, (1 - top_catalogue_coverage) / 0.750000000000))) + ((CASE WHEN CASE WHEN (least(1.0, greatest(0.0, feedback / 1))) > (least(1.0, greatest(0.0, collaboration / 1))) THEN 1 ELSE 0 END + CASE WHEN (coalesce(CASE WHEN trend <= -10 THEN 1.0 ELSE 0.0 END, 0.0)) > (least(1.0, greatest(0.0, collaboration / 1))) THEN 1 ELSE 0 END + CASE WHEN (least(1.0, greatest(0.0, session_seconds_median / 90.5000000000))) > (least(1.0, greatest(0.0, collaboration / 1))) THEN 1 ELSE 0 END < 2 THEN (least(1.0, greatest(0.0, collaboration / 1))) ELSE 0.0 END + CASE WHEN CASE WHEN (least(1.0, greatest(0.0, collaboration / 1))) >= (least(1.0, greatest(0.0, feedback / 1))) THEN 1 ELSE 0 END + CASE WHEN (coalesce(CASE WHEN trend <= -10 THEN 1.0 ELSE 0.0 END, 0.0)) > (least(1.0, greatest(0.0, feedback / 1))) THEN 1 ELSE 0 END + CASE WHEN (least(1.0, greatest(0.0, session_seconds_median / 90.5000000000))) > (least(1.0, greatest(0.0, feedback / 1))) THEN 1 ELSE 0 END < 2 THEN (least(1.0, greatest(0.0, feedback / 1))) ELSE 0.0 END + CASE WHEN CASE WHEN (least(1.0, greatest(0.0, collaboration / 1))) >= (coalesce(CASE WHEN trend <= -10 THEN 1.0 ELSE 0.0 END, 0.0)) THEN 1 ELSE 0 END + CASE WHEN (least(1.0, greatest(0.0, feedback / 1))) >= (coalesce(CASE WHEN trend <= -10 THEN 1.0 ELSE 0.0 END, 0.0)) THEN 1 ELSE 0 END + CASE WHEN (least(1.0, greatest(0.0, session_seconds_median / 90.5000000000))) > (coalesce(CASE WHEN trend <= -10 THEN 1.0 ELSE 0.0 END, 0.0)) THEN 1 ELSE 0 END < 2 THEN (coalesce(CASE WHEN trend <= -10 THEN 1.0 ELSE 0.0 END, 0.0)) ELSE 0.0 END + CASE WHEN CASE WHEN (least(1.0, greatest(0.0, collaboration / 1))) >= (least(1.0, greatest(0.0, session_seconds_median / 90.5000000000))) THEN 1 ELSE 0 END + CASE WHEN (least(1.0, greatest(0.0, feedback / 1))) >= (least(1.0, greatest(0.0, session_seconds_median / 90.5000000000))) THEN 1 ELSE 0 END + CASE WHEN (coalesce(CASE WHEN trend <= -10 THEN 1.0 ELSE 0.0 END, 0.0)) >= (least(1.0, greatest(0.0, session_seconds_median / 90.5000000000))) THEN 1 ELSE 0 END < 2 THEN (least(1.0, greatest(0.0, session_seconds_median / 90.5000000000))) ELSE 0.0 END) / 2.0)) / 4.0), 1)) END AS score
  FROM verdict