SELECT x.delivery_id, x.occurrence_id, x.project_id, x.playbook, x.action_index,
  x.channel, x.payload, x.status, x.attempts, x.next_attempt_at, x.created_at, x.sent_at,
  x.last_error
FROM playbook_deliveries x
WHERE x.project_id = CAST($p AS VARCHAR) AND x.status = 'queued'
  AND x.next_attempt_at <= CAST($now AS TIMESTAMPTZ)
ORDER BY x.next_attempt_at, x.created_at, x.delivery_id
LIMIT CAST($limit AS BIGINT);

UPDATE playbook_deliveries
SET attempts = attempts + 1, next_attempt_at = CAST($lease_until AS TIMESTAMPTZ)
WHERE delivery_id = CAST($id AS VARCHAR) AND status = 'queued'
  AND attempts = CAST($attempts AS BIGINT)
  AND next_attempt_at <= CAST($now AS TIMESTAMPTZ);

INSERT INTO playbook_attempts (delivery_id, attempt, started_at, finished_at,
  status_code, latency_ms, outcome, error)
VALUES (CAST($delivery_id AS VARCHAR), CAST($attempt AS BIGINT),
  CAST($started_at AS TIMESTAMPTZ), CAST($finished_at AS TIMESTAMPTZ),
  CAST($status_code AS BIGINT), CAST($latency_ms AS BIGINT),
  CAST($outcome AS VARCHAR), CAST($error AS VARCHAR));

UPDATE playbook_deliveries
SET status = 'sent', sent_at = CAST($sent_at AS TIMESTAMPTZ), next_attempt_at = NULL,
  last_error = NULL
WHERE delivery_id = CAST($id AS VARCHAR);

UPDATE playbook_deliveries
SET next_attempt_at = CAST($next_at AS TIMESTAMPTZ), last_error = CAST($error AS VARCHAR)
WHERE delivery_id = CAST($id AS VARCHAR) AND status = 'queued';

UPDATE playbook_deliveries
SET status = 'dead', next_attempt_at = NULL, last_error = CAST($error AS VARCHAR)
WHERE delivery_id = CAST($id AS VARCHAR) AND status = 'queued';

UPDATE playbook_deliveries
SET status = 'queued', attempts = 0, next_attempt_at = CAST($now AS TIMESTAMPTZ)
WHERE project_id = CAST($p AS VARCHAR) AND delivery_id = CAST($id AS VARCHAR)
  AND status = 'dead'