DELETE FROM report_cache WHERE project_id = CAST($p AS VARCHAR) AND cache_key NOT IN (
       SELECT cache_key FROM report_cache WHERE project_id = CAST($p AS VARCHAR)
       ORDER BY created_at DESC, cache_key LIMIT CAST($keep AS BIGINT))