SELECT * FROM scored
     WHERE (CAST($power AS BOOLEAN) = false OR is_power_user)
       AND (CAST($user AS VARCHAR) = '' OR user_id = CAST($user AS VARCHAR))
     ORDER BY is_power_user DESC, score DESC, key_actions DESC, user_id
     LIMIT CAST($limit AS BIGINT)