SELECT x.delivery_id, x.occurrence_id, x.project_id, x.playbook, x.action_index,
  x.channel, x.payload, x.status, x.attempts, x.next_attempt_at, x.created_at, x.sent_at,
  x.last_error, o.trigger, o.subject_type, o.subject_id, o.account_id,
  strftime(o.period_start, '%Y-%m-%d') AS period_start, o.fired_at
FROM playbook_deliveries x
JOIN playbook_occurrences o ON o.project_id = x.project_id AND o.occurrence_id = x.occurrence_id
WHERE x.project_id = CAST($p AS VARCHAR)
ORDER BY x.created_at DESC, x.occurrence_id, x.action_index
LIMIT CAST($limit AS BIGINT);

SELECT x.delivery_id, x.occurrence_id, x.project_id, x.playbook, x.action_index,
  x.channel, x.payload, x.status, x.attempts, x.next_attempt_at, x.created_at, x.sent_at,
  x.last_error, o.trigger, o.subject_type, o.subject_id, o.account_id,
  strftime(o.period_start, '%Y-%m-%d') AS period_start, o.fired_at
FROM playbook_deliveries x
JOIN playbook_occurrences o ON o.project_id = x.project_id AND o.occurrence_id = x.occurrence_id
WHERE x.project_id = CAST($p AS VARCHAR)
  AND x.playbook = CAST($playbook AS VARCHAR)
  AND x.status = CAST($status AS VARCHAR)
  AND o.subject_id = CAST($subject AS VARCHAR)
  AND x.occurrence_id = CAST($occurrence AS VARCHAR)
  AND x.delivery_id = CAST($delivery AS VARCHAR)
ORDER BY x.created_at DESC, x.occurrence_id, x.action_index
LIMIT CAST($limit AS BIGINT);

SELECT a.delivery_id, a.attempt, a.started_at, a.finished_at, a.status_code, a.latency_ms,
  a.outcome, a.error
FROM playbook_attempts a
JOIN playbook_deliveries x ON x.delivery_id = a.delivery_id
WHERE x.project_id = CAST($p AS VARCHAR)
  AND a.delivery_id IN (SELECT unnest(CAST($ids AS VARCHAR[])))
ORDER BY a.delivery_id, a.started_at, a.attempt