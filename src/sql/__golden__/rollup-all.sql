DELETE FROM user_day WHERE project_id = CAST($p AS VARCHAR) ;

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
              FROM (SELECT coalesce(events.user_id, events.anonymous_id) AS user_id,
      events.user_id IS NULL AS anonymous,
      coalesce(account_id, '') AS account_id, timestamp AS ts, event,
      CAST(timezone(CAST($tz AS VARCHAR), timestamp) AS DATE) AS day
    FROM events WHERE project_id = CAST($p AS VARCHAR) ) ))
      WHERE true 
      GROUP BY user_id, anonymous, account_id, day, sid)
    GROUP BY user_id, anonymous, account_id, day;

INSERT INTO user_day_event (project_id, user_id, anonymous, account_id, day,
      event, events)
    SELECT CAST($p AS VARCHAR), user_id, anonymous, account_id, day, event, count(*)
    FROM (SELECT coalesce(events.user_id, events.anonymous_id) AS user_id,
      events.user_id IS NULL AS anonymous,
      coalesce(account_id, '') AS account_id, timestamp AS ts, event,
      CAST(timezone(CAST($tz AS VARCHAR), timestamp) AS DATE) AS day
    FROM events WHERE project_id = CAST($p AS VARCHAR) ) WHERE true 
    GROUP BY user_id, anonymous, account_id, day, event