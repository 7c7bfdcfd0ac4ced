SELECT strftime(min(day), '%Y-%m-%d') AS first, strftime(max(day), '%Y-%m-%d') AS last
     FROM user_day WHERE project_id = CAST($p AS VARCHAR)