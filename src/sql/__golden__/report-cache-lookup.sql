SELECT report, created_at FROM report_cache
     WHERE project_id = CAST($p AS VARCHAR) AND cache_key = CAST($k AS VARCHAR)
     ORDER BY created_at DESC LIMIT 1