SELECT CAST(days_active AS INTEGER) AS days_active, count(*) AS users,
    count(*) FILTER (WHERE is_power_user) AS power_users
  FROM scored WHERE days_active > 0 GROUP BY days_active ORDER BY days_active