SELECT occurrence_id FROM playbook_occurrences
WHERE project_id = CAST($p AS VARCHAR)
  AND occurrence_id IN (SELECT unnest(CAST($ids AS VARCHAR[])));

SELECT DISTINCT subject_id FROM playbook_occurrences
WHERE project_id = CAST($p AS VARCHAR) AND playbook = CAST($playbook AS VARCHAR)
  AND fired_at > CAST($since AS TIMESTAMPTZ)
  AND subject_id IN (SELECT unnest(CAST($subjects AS VARCHAR[])));

INSERT INTO playbook_occurrences (project_id, occurrence_id, playbook, trigger,
  subject_type, subject_id, account_id, period_start, explanation, data, fired_at)
SELECT CAST($project_id AS VARCHAR), CAST($occurrence_id AS VARCHAR),
  CAST($playbook AS VARCHAR), CAST($trigger AS VARCHAR),
  CAST($subject_type AS VARCHAR), CAST($subject_id AS VARCHAR),
  CAST($account_id AS VARCHAR), CAST($period_start AS DATE),
  CAST($explanation AS VARCHAR), CAST($data AS VARCHAR),
  CAST($fired_at AS TIMESTAMPTZ)
WHERE NOT EXISTS (
  SELECT 1 FROM playbook_occurrences
  WHERE project_id = CAST($project_id AS VARCHAR)
    AND occurrence_id = CAST($occurrence_id AS VARCHAR));

INSERT INTO playbook_deliveries (delivery_id, occurrence_id, project_id, playbook,
  action_index, channel, payload, status, attempts, next_attempt_at, created_at)
SELECT CAST($delivery_id AS VARCHAR), CAST($occurrence_id AS VARCHAR),
  CAST($project_id AS VARCHAR), CAST($playbook AS VARCHAR),
  CAST($action_index AS BIGINT), CAST($channel AS VARCHAR),
  CAST($payload AS VARCHAR), 'queued', 0, CAST($created_at AS TIMESTAMPTZ),
  CAST($created_at AS TIMESTAMPTZ)
WHERE NOT EXISTS (
  SELECT 1 FROM playbook_deliveries WHERE delivery_id = CAST($delivery_id AS VARCHAR))