WITH r AS (
    SELECT CAST(row_number() OVER (ORDER BY key_actions, user_id) AS BIGINT) AS rn,
      sum(key_actions) OVER (ORDER BY key_actions, user_id ROWS UNBOUNDED PRECEDING) AS cum
    FROM scored),
  t AS (SELECT count(*) AS n, coalesce(sum(key_actions), 0) AS total FROM scored),
  pts AS (SELECT unnest(range(0, 101, 5)) AS pct)
  SELECT pts.pct AS users_percent,
    CASE WHEN t.total = 0 THEN 0 ELSE (CAST(coalesce(r.cum, 0) AS DOUBLE) / t.total) END AS actions_share
  FROM pts CROSS JOIN t LEFT JOIN r ON r.rn = CAST(floor(pts.pct * t.n / 100) AS BIGINT)
  ORDER BY pts.pct