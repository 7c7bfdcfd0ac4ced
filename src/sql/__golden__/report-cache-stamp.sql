SELECT time_zone, session_gap_seconds, rollup_version, features_hash, refreshed_at
     FROM rollup_state WHERE project_id = CAST($p AS VARCHAR)
     ORDER BY refreshed_at DESC LIMIT 1