SELECT CAST(days_active_7 AS INTEGER) AS days_active, count(*) AS users,
    count(*) FILTER (WHERE is_power_user) AS power_users
  FROM scored WHERE days_active_7 > 0 GROUP BY days_active_7 ORDER BY days_active_7