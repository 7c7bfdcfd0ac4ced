WITH periods AS (SELECT DISTINCT period_start FROM user_snapshots WHERE project_id = CAST($p AS VARCHAR) AND definition = CAST($def AS VARCHAR)
      AND period = CAST($period AS VARCHAR) AND as_of <= CAST($asof AS DATE)),
  mine AS (
    SELECT period_start, as_of, is_power_user, score, criteria_met, criteria_total, days_active,
      events
    FROM user_snapshots WHERE project_id = CAST($p AS VARCHAR) AND definition = CAST($def AS VARCHAR)
      AND period = CAST($period AS VARCHAR) AND as_of <= CAST($asof AS DATE) AND user_id = CAST($user AS VARCHAR))
  SELECT strftime(p.period_start, '%Y-%m-%d') AS period_start, strftime(m.as_of, '%Y-%m-%d') AS as_of,
    m.period_start IS NOT NULL AS present,
    coalesce(m.is_power_user, false) AS is_power_user,
    m.score AS score, m.criteria_met AS criteria_met, m.criteria_total AS criteria_total,
    m.days_active AS days_active, m.events AS events
  FROM periods p LEFT JOIN mine m ON m.period_start = p.period_start
  ORDER BY p.period_start