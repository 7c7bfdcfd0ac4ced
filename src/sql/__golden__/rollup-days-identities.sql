DELETE FROM user_day WHERE project_id = CAST($p AS VARCHAR) AND list_contains(CAST($days AS DATE[]), day);

INSERT INTO user_day (project_id, user_id, anonymous, account_id, day, events,
      sessions, active_seconds, first_seen, last_seen, session_seconds)
    SELECT CAST($p AS VARCHAR), user_id, anonymous, account_id, day, sum(n), sum(starts), sum(secs),
      min(first_ts), max(last_ts), coalesce(list(secs ORDER BY first_ts) FILTER (WHERE starts > 0), [])
    FROM (
      SELECT user_id, anonymous, account_id, day, sid, count(*) AS n,
        count(*) FILTER (WHERE gap IS NULL OR gap >= CAST($gap AS BIGINT)) AS starts,
        CAST(coalesce(round(sum(round(gap * 1000, 0)) FILTER (WHERE gap < CAST($gap AS BIGINT)) / 1000, 0), 0) AS BIGINT) AS secs,
        min(ts) AS first_ts, max(ts) AS last_ts
      FROM (
        SELECT *, sum(CASE WHEN gap IS NULL OR gap >= CAST($gap AS BIGINT) THEN 1 ELSE 0 END)
            OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS sid
        FROM (SELECT *, epoch(ts) - epoch(lag(ts) OVER (PARTITION BY user_id ORDER BY ts)) AS gap
              FROM (SELECT coalesce(m.resolved_id, events.user_id, events.anonymous_id) AS user_id,
      events.user_id IS NULL AND m.resolved_id IS NULL AS anonymous,
      coalesce(account_id, '') AS account_id, timestamp AS ts, event,
      CAST(timezone(CAST($tz AS VARCHAR), timestamp) AS DATE) AS day
    FROM events LEFT JOIN (
        SELECT alias_id, user_id AS resolved_id FROM identity_map
        WHERE project_id = CAST($p AS VARCHAR)) m
      ON m.alias_id = coalesce(events.user_id, events.anonymous_id) WHERE project_id = CAST($p AS VARCHAR) AND timestamp >= CAST($lo AS TIMESTAMPTZ) AND timestamp < CAST($hi AS TIMESTAMPTZ)) WHERE list_contains(CAST($days AS DATE[]), day) OR list_contains(CAST($days AS DATE[]), (day + CAST(1 AS INTEGER)))))
      WHERE true AND list_contains(CAST($days AS DATE[]), day)
      GROUP BY user_id, anonymous, account_id, day, sid)
    GROUP BY user_id, anonymous, account_id, day;

INSERT INTO user_day_event (project_id, user_id, anonymous, account_id, day,
      event, events)
    SELECT CAST($p AS VARCHAR), user_id, anonymous, account_id, day, event, count(*)
    FROM (SELECT coalesce(m.resolved_id, events.user_id, events.anonymous_id) AS user_id,
      events.user_id IS NULL AND m.resolved_id IS NULL AS anonymous,
      coalesce(account_id, '') AS account_id, timestamp AS ts, event,
      CAST(timezone(CAST($tz AS VARCHAR), timestamp) AS DATE) AS day
    FROM events LEFT JOIN (
        SELECT alias_id, user_id AS resolved_id FROM identity_map
        WHERE project_id = CAST($p AS VARCHAR)) m
      ON m.alias_id = coalesce(events.user_id, events.anonymous_id) WHERE project_id = CAST($p AS VARCHAR) AND timestamp >= CAST($lo AS TIMESTAMPTZ) AND timestamp < CAST($hi AS TIMESTAMPTZ)) WHERE true AND list_contains(CAST($days AS DATE[]), day)
    GROUP BY user_id, anonymous, account_id, day, event;

INSERT INTO user_day_feature (project_id, user_id, anonymous, account_id,
        day, feature, events)
      SELECT CAST($p AS VARCHAR), user_id, anonymous, account_id, day, feature, count(*)
      FROM (
        SELECT user_id, anonymous, account_id, day,
          unnest(list_distinct([CASE WHEN (event LIKE CAST($pf0_e0 AS VARCHAR) ESCAPE '\') AND json_extract_string(properties, CAST($pf0_k0 AS VARCHAR)) = CAST($pf0_v0 AS VARCHAR) THEN CAST($pf0_name AS VARCHAR) END])) AS feature
        FROM (SELECT coalesce(m.resolved_id, events.user_id, events.anonymous_id) AS user_id,
      events.user_id IS NULL AND m.resolved_id IS NULL AS anonymous,
        coalesce(account_id, '') AS account_id, event, properties,
        CAST(timezone(CAST($tz AS VARCHAR), timestamp) AS DATE) AS day
      FROM events LEFT JOIN (
        SELECT alias_id, user_id AS resolved_id FROM identity_map
        WHERE project_id = CAST($p AS VARCHAR)) m
      ON m.alias_id = coalesce(events.user_id, events.anonymous_id) WHERE project_id = CAST($p AS VARCHAR) AND timestamp >= CAST($lo AS TIMESTAMPTZ) AND timestamp < CAST($hi AS TIMESTAMPTZ))
        WHERE ((event LIKE CAST($pf0_e0 AS VARCHAR) ESCAPE '\')) AND list_contains(CAST($days AS DATE[]), day))
      GROUP BY user_id, anonymous, account_id, day, feature