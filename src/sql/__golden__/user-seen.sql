SELECT strftime(min(day), '%Y-%m-%d') AS first, strftime(max(day), '%Y-%m-%d') AS last,
         NOT bool_or(NOT anonymous) AS anonymous
       FROM user_day
       WHERE project_id = CAST($p AS VARCHAR) AND user_id = CAST($u AS VARCHAR)