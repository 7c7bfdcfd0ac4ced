SELECT CAST(coalesce(sum(events), 0) AS BIGINT) AS events,
       count(DISTINCT CASE WHEN NOT anonymous THEN user_id END) AS users,
       count(DISTINCT CASE WHEN account_id <> '' THEN account_id END) AS accounts,
       strftime(min(day), '%Y-%m-%d') AS first_day, strftime(max(day), '%Y-%m-%d') AS last_day
     FROM user_day WHERE project_id = CAST($p AS VARCHAR)