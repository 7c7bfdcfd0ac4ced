WITH r AS (
    SELECT key_actions, row_number() OVER (ORDER BY key_actions DESC, user_id) AS rn,
      count(*) OVER () AS n, sum(key_actions) OVER () AS total
    FROM scored)
  SELECT max(n) AS users, max(total) AS total, coalesce(sum(key_actions) FILTER (WHERE rn <= ceil(1 * n / 100.0)) / nullif(max(total), 0), 0) AS top_1, coalesce(sum(key_actions) FILTER (WHERE rn <= ceil(5 * n / 100.0)) / nullif(max(total), 0), 0) AS top_5, coalesce(sum(key_actions) FILTER (WHERE rn <= ceil(10 * n / 100.0)) / nullif(max(total), 0), 0) AS top_10, coalesce(sum(key_actions) FILTER (WHERE rn <= ceil(20 * n / 100.0)) / nullif(max(total), 0), 0) AS top_20 FROM r