SELECT strftime(day, '%Y-%m-%d') AS day, sum(events) AS events, sum(sessions) AS sessions,
             sum(active_seconds) AS active_seconds
           FROM user_day
           WHERE project_id = CAST($p AS VARCHAR) AND user_id = CAST($u AS VARCHAR)
             AND day > (CAST(CAST($asof AS DATE) AS DATE) - CAST(CAST($n AS BIGINT) AS INTEGER))
             AND day <= CAST(CAST($asof AS DATE) AS DATE)
           GROUP BY day ORDER BY day