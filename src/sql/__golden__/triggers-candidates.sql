WITH s AS (
    SELECT period_start, user_id, is_power_user, score, trend, attainment, first_seen, window_start, events_7, baseline_events, baseline_days FROM user_snapshots
    WHERE project_id = CAST($p AS VARCHAR) AND definition = CAST($def AS VARCHAR)
      AND period = CAST($period AS VARCHAR)),
  periods AS (
    SELECT period_start, CAST(row_number() OVER (ORDER BY period_start) AS BIGINT) AS idx
    FROM (SELECT DISTINCT period_start FROM s) x),
  si AS (
    SELECT s.period_start AS period_start, s.user_id AS user_id,
      s.is_power_user AS is_power_user, s.score AS score, s.trend AS trend, s.attainment AS attainment, s.first_seen AS first_seen, s.window_start AS window_start, s.events_7 AS events_7, s.baseline_events AS baseline_events, s.baseline_days AS baseline_days, p.idx AS idx
    FROM s JOIN periods p ON p.period_start = s.period_start
    WHERE p.idx BETWEEN (SELECT idx FROM periods WHERE period_start = CAST(CAST($at AS DATE) AS DATE)) - 4
      AND (SELECT idx FROM periods WHERE period_start = CAST(CAST($at AS DATE) AS DATE))),
  first_power AS (SELECT s.user_id AS user_id, min(p.idx) AS first_idx
    FROM s JOIN periods p ON p.period_start = s.period_start WHERE s.is_power_user
    GROUP BY s.user_id),
  windows AS (SELECT idx, min(window_start) AS window_start FROM si GROUP BY idx),
  -- The attainment of each user 1 .. n periods before (0 when not active in that window; NULL
  -- in a row stored before attainment was), where the stored history reaches n periods back;
  -- and the first day of that oldest window.
  climb AS (
    SELECT c.idx AS idx, c.user_id AS user_id,
      CASE WHEN b1.user_id IS NULL THEN 0.0 ELSE b1.attainment END AS att_1, CASE WHEN b2.user_id IS NULL THEN 0.0 ELSE b2.attainment END AS att_2, CASE WHEN b3.user_id IS NULL THEN 0.0 ELSE b3.attainment END AS att_3,
      w.window_start AS climb_from
    FROM si c JOIN windows w ON w.idx = c.idx - 3
    LEFT JOIN si b1 ON b1.user_id = c.user_id AND b1.idx = c.idx - 1
    LEFT JOIN si b2 ON b2.user_id = c.user_id AND b2.idx = c.idx - 2
    LEFT JOIN si b3 ON b3.user_id = c.user_id AND b3.idx = c.idx - 3),
  -- Each user now, with the period before; and the power users of the period before who are
  -- absent now (not active in the window any more). dropped: the last 7 days' events at most
  -- the kept share of the user's usual week. climbing: near the bar, up in each of the last n
  -- periods and by enough in all, and seen since before the oldest of those windows began (so
  -- the climb is theirs, not their window filling up).
  pairs AS (
    SELECT c.idx AS idx, c.user_id AS user_id, c.is_power_user AS now_power,
      coalesce(b.is_power_user, false) AS was_power, true AS present,
      CASE WHEN c.baseline_days >= 14
        AND c.events_7 * c.baseline_days <= CAST($keep AS DOUBLE) * 7 * c.baseline_events
        THEN 1 ELSE 0 END AS dropped,
      CASE WHEN NOT c.is_power_user AND c.attainment >= CAST($min_att AS DOUBLE)
        AND c.attainment - m.att_3 >= CAST($min_rise AS DOUBLE) AND c.attainment > m.att_1 AND m.att_1 > m.att_2 AND m.att_2 > m.att_3
        AND c.first_seen <= m.climb_from
        THEN 1 ELSE 0 END AS climbing
    FROM si c LEFT JOIN si b ON b.user_id = c.user_id AND b.idx = c.idx - 1
    LEFT JOIN climb m ON m.user_id = c.user_id AND m.idx = c.idx
    WHERE c.idx > 1
    UNION ALL
    SELECT b.idx + 1 AS idx, b.user_id AS user_id, false AS now_power, true AS was_power,
      false AS present, 0 AS dropped, 0 AS climbing
    FROM si b LEFT JOIN si c ON c.user_id = b.user_id AND c.idx = b.idx + 1
    WHERE b.is_power_user AND c.user_id IS NULL
      AND b.idx < (SELECT max(idx) FROM periods)),
  states AS (
    SELECT q.idx AS idx, q.user_id AS user_id, CASE
        WHEN q.now_power AND q.dropped = 1 THEN 'at_risk'
        WHEN q.now_power AND q.was_power THEN 'retained'
        WHEN q.now_power AND f.first_idx = q.idx THEN 'new'
        WHEN q.now_power THEN 'resurrected'
        WHEN q.was_power THEN 'lost'
        WHEN q.present AND q.climbing = 1 THEN 'emerging'
        ELSE '' END AS state
    FROM pairs q LEFT JOIN first_power f ON f.user_id = q.user_id),
  t AS (
    SELECT c.idx AS idx, c.period_start AS period_start, b.period_start AS before_start
    FROM periods c JOIN periods b ON b.idx = c.idx - 1
    WHERE c.period_start = CAST(CAST($at AS DATE) AS DATE)),
  who AS (
    SELECT DISTINCT user_id FROM (
      SELECT st.user_id AS user_id FROM states st JOIN t ON st.idx = t.idx WHERE st.state <> ''
      UNION ALL
      SELECT g.user_id AS user_id FROM user_snapshots g JOIN t
        ON g.period_start = t.period_start OR g.period_start = t.before_start
      WHERE g.project_id = CAST($p AS VARCHAR) AND g.definition = CAST($def AS VARCHAR)
    AND g.period = CAST($period AS VARCHAR) AND g.segments <> '') x)
  SELECT w.user_id AS user_id, strftime(t.period_start, '%Y-%m-%d') AS period_start,
    coalesce(sn.state, '') AS state, coalesce(sb.state, '') AS previous_state,
    coalesce(u.account_id, b.account_id, '') AS account_id,
    u.user_id IS NOT NULL AS present, b.user_id IS NOT NULL AS was_present,
    coalesce(u.is_power_user, false) AS is_power_user,
    coalesce(b.is_power_user, false) AS was_power_user,
    coalesce(u.score, 0) AS score, b.score AS previous_score,
    coalesce(u.segments, '') AS segments, coalesce(b.segments, '') AS previous_segments,
    coalesce(u.days_active, 0) AS days_active,
    coalesce(u.days_active_7, 0) AS days_active_7, coalesce(u.events_7, 0) AS events_7,
    coalesce(u.baseline_days_active, 0) AS baseline_days_active,
    coalesce(u.baseline_events, 0) AS baseline_events,
    coalesce(u.baseline_days, 0) AS baseline_days, coalesce(u.attainment, 0) AS attainment,
    m.att_1 AS att_1, m.att_2 AS att_2, m.att_3 AS att_3
  FROM who w CROSS JOIN t
  LEFT JOIN states sn ON sn.idx = t.idx AND sn.user_id = w.user_id
  LEFT JOIN states sb ON sb.idx = t.idx - 1 AND sb.user_id = w.user_id
  LEFT JOIN user_snapshots u ON u.project_id = CAST($p AS VARCHAR) AND u.definition = CAST($def AS VARCHAR)
    AND u.period = CAST($period AS VARCHAR)
    AND u.period_start = t.period_start AND u.user_id = w.user_id
  LEFT JOIN user_snapshots b ON b.project_id = CAST($p AS VARCHAR) AND b.definition = CAST($def AS VARCHAR)
    AND b.period = CAST($period AS VARCHAR)
    AND b.period_start = t.before_start AND b.user_id = w.user_id
  LEFT JOIN climb m ON m.idx = t.idx AND m.user_id = w.user_id
  ORDER BY user_id
