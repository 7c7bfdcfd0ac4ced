WITH r AS (SELECT key_actions AS v, row_number() OVER (ORDER BY key_actions, user_id) AS i FROM scored)
  SELECT CASE WHEN count(*) = 0 OR sum(v) = 0 THEN 0
    ELSE 2.0 * sum(i * v) / (count(*) * sum(v)) - (count(*) + 1.0) / count(*) END AS gini
  FROM r