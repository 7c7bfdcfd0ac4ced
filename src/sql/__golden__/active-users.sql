SELECT count(DISTINCT user_id) AS n FROM user_day
     WHERE project_id = CAST($p AS VARCHAR) AND NOT anonymous
       AND day > (CAST($asof AS DATE) - CAST(CAST($w AS BIGINT) AS INTEGER))
       AND day <= CAST($asof AS DATE)