SELECT count(*) AS n FROM scored WHERE (CAST($power AS VARCHAR) = '' OR is_power_user = (CAST($power AS VARCHAR) = 'true'))
    AND (CAST($text AS VARCHAR) = '' OR position(CAST($text AS VARCHAR) IN lower(user_id)) > 0
      OR position(CAST($text AS VARCHAR) IN lower(account_id)) > 0);

SELECT * FROM scored WHERE (CAST($power AS VARCHAR) = '' OR is_power_user = (CAST($power AS VARCHAR) = 'true'))
    AND (CAST($text AS VARCHAR) = '' OR position(CAST($text AS VARCHAR) IN lower(user_id)) > 0
      OR position(CAST($text AS VARCHAR) IN lower(account_id)) > 0)
     ORDER BY key_actions ASC, user_id ASC
     LIMIT CAST($limit AS BIGINT) OFFSET CAST($offset AS BIGINT)