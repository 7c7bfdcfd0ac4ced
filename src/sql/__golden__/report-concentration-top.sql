WITH r AS (
    SELECT key_actions, row_number() OVER (ORDER BY key_actions DESC, user_id) AS rn,
      count(*) OVER () AS n, sum(key_actions) OVER () AS grand_total
    FROM scored)
  SELECT max(n) AS users, max(grand_total) AS total, coalesce((CAST(sum(key_actions) FILTER (WHERE rn <= ceil(1 * n / 100.0)) AS DOUBLE) / nullif(max(grand_total), 0)), 0) AS top_1, coalesce((CAST(sum(key_actions) FILTER (WHERE rn <= ceil(5 * n / 100.0)) AS DOUBLE) / nullif(max(grand_total), 0)), 0) AS top_5, coalesce((CAST(sum(key_actions) FILTER (WHERE rn <= ceil(10 * n / 100.0)) AS DOUBLE) / nullif(max(grand_total), 0)), 0) AS top_10, coalesce((CAST(sum(key_actions) FILTER (WHERE rn <= ceil(20 * n / 100.0)) AS DOUBLE) / nullif(max(grand_total), 0)), 0) AS top_20 FROM r