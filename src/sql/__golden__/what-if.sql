SELECT count(*) FILTER (WHERE in_before) AS before_active, count(*) FILTER (WHERE in_after) AS after_active,
       count(*) FILTER (WHERE was_power) AS before_power, count(*) FILTER (WHERE is_power) AS after_power,
       count(*) FILTER (WHERE is_power AND NOT was_power) AS entering,
       count(*) FILTER (WHERE was_power AND NOT is_power) AS leaving
     FROM (SELECT coalesce(a.user_id, b.user_id) AS user_id,
       b.user_id IS NOT NULL AS in_before, a.user_id IS NOT NULL AS in_after,
       coalesce(b.is_power_user, false) AS was_power, coalesce(a.is_power_user, false) AS is_power,
       b.score AS before_score, a.score AS after_score
     FROM scored_baseline b FULL OUTER JOIN scored a ON a.user_id = b.user_id);

SELECT user_id FROM (SELECT coalesce(a.user_id, b.user_id) AS user_id,
       b.user_id IS NOT NULL AS in_before, a.user_id IS NOT NULL AS in_after,
       coalesce(b.is_power_user, false) AS was_power, coalesce(a.is_power_user, false) AS is_power,
       b.score AS before_score, a.score AS after_score
     FROM scored_baseline b FULL OUTER JOIN scored a ON a.user_id = b.user_id) WHERE is_power AND NOT was_power ORDER BY after_score DESC, user_id LIMIT 20;

SELECT user_id FROM (SELECT coalesce(a.user_id, b.user_id) AS user_id,
       b.user_id IS NOT NULL AS in_before, a.user_id IS NOT NULL AS in_after,
       coalesce(b.is_power_user, false) AS was_power, coalesce(a.is_power_user, false) AS is_power,
       b.score AS before_score, a.score AS after_score
     FROM scored_baseline b FULL OUTER JOIN scored a ON a.user_id = b.user_id) WHERE was_power AND NOT is_power ORDER BY before_score DESC, user_id LIMIT 20