SELECT * FROM scored
     WHERE (CAST($power AS BOOLEAN) = false OR is_power_user)
       AND (CAST($user AS VARCHAR) = '' OR user_id = CAST($user AS VARCHAR))
     ORDER BY score DESC, user_id ASC
     LIMIT CAST($limit AS BIGINT)