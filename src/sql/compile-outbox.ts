import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';

/**
 * The outbox of playbooks (docs/playbooks.md, src/playbooks/outbox.ts and dispatcher.ts): the
 * occurrences recorded, the deliveries queued for each, and every attempt to send one. DuckDB
 * only for now (migration 9): recording needs its transactions.
 */

export interface Compiled {
  sql: string;
  params: SqlParams;
}

/** An occurrence as stored (`data` is JSON text, `fired_at` an ISO instant). */
export interface OccurrenceRow {
  project_id: string;
  occurrence_id: string;
  playbook: string;
  trigger: string;
  subject_type: string;
  subject_id: string;
  account_id: string;
  period_start: string;
  explanation: string;
  data: string;
  fired_at: string;
}

/** A delivery as queued (`created_at`, `next_attempt_at`: ISO instants). */
export interface DeliveryRow {
  delivery_id: string;
  occurrence_id: string;
  project_id: string;
  playbook: string;
  action_index: number;
  channel: string;
  payload: string;
  created_at: string;
}

/** One attempt to send a delivery, as it ended. */
export interface AttemptRow {
  delivery_id: string;
  attempt: number;
  started_at: string;
  finished_at: string;
  status_code: number | null;
  latency_ms: number;
  outcome: 'sent' | 'retry' | 'dead';
  error: string | null;
}

/** The columns a delivery is read with (alias `x`), instants as ISO text. */
const deliveryColumns = `x.delivery_id, x.occurrence_id, x.project_id, x.playbook, x.action_index,
  x.channel, x.payload, x.status, x.attempts, x.next_attempt_at, x.created_at, x.sent_at,
  x.last_error`;

/** The occurrence ids of a list already recorded in the project (`occurrence_id`). */
export function compileRecordedOccurrences(
  d: Dialect,
  projectId: string,
  occurrenceIds: readonly string[],
): Compiled {
  return {
    sql: `SELECT occurrence_id FROM playbook_occurrences
WHERE project_id = ${d.param('p', 'String')}
  AND ${d.inList('occurrence_id', d.param('ids', 'Array(String)'))}`,
    params: { p: projectId, ids: occurrenceIds },
  };
}

/**
 * The subjects (`subject_id`) a playbook fired for after an instant, among a list: those still
 * in their cooldown.
 */
export function compileSubjectsFiredSince(
  d: Dialect,
  projectId: string,
  playbook: string,
  since: string,
  subjectIds: readonly string[],
): Compiled {
  return {
    sql: `SELECT DISTINCT subject_id FROM playbook_occurrences
WHERE project_id = ${d.param('p', 'String')} AND playbook = ${d.param('playbook', 'String')}
  AND fired_at > ${d.param('since', 'DateTime')}
  AND ${d.inList('subject_id', d.param('subjects', 'Array(String)'))}`,
    params: { p: projectId, playbook, since, subjects: subjectIds },
  };
}

/**
 * Records an occurrence unless the project has it already: the statement changes one row when
 * it is new, none when it was recorded before.
 */
export function compileInsertOccurrence(d: Dialect, row: OccurrenceRow): Compiled {
  return {
    sql: `INSERT INTO playbook_occurrences (project_id, occurrence_id, playbook, trigger,
  subject_type, subject_id, account_id, period_start, explanation, data, fired_at)
SELECT ${d.param('project_id', 'String')}, ${d.param('occurrence_id', 'String')},
  ${d.param('playbook', 'String')}, ${d.param('trigger', 'String')},
  ${d.param('subject_type', 'String')}, ${d.param('subject_id', 'String')},
  ${d.param('account_id', 'String')}, ${d.param('period_start', 'Date')},
  ${d.param('explanation', 'String')}, ${d.param('data', 'String')},
  ${d.param('fired_at', 'DateTime')}
WHERE NOT EXISTS (
  SELECT 1 FROM playbook_occurrences
  WHERE project_id = ${d.param('project_id', 'String')}
    AND occurrence_id = ${d.param('occurrence_id', 'String')})`,
    params: { ...row },
  };
}

/** Queues a delivery, due at once, unless its id is queued already (one row changed when new). */
export function compileInsertDelivery(d: Dialect, row: DeliveryRow): Compiled {
  return {
    sql: `INSERT INTO playbook_deliveries (delivery_id, occurrence_id, project_id, playbook,
  action_index, channel, payload, status, attempts, next_attempt_at, created_at)
SELECT ${d.param('delivery_id', 'String')}, ${d.param('occurrence_id', 'String')},
  ${d.param('project_id', 'String')}, ${d.param('playbook', 'String')},
  ${d.param('action_index', 'Int64')}, ${d.param('channel', 'String')},
  ${d.param('payload', 'String')}, 'queued', 0, ${d.param('created_at', 'DateTime')},
  ${d.param('created_at', 'DateTime')}
WHERE NOT EXISTS (
  SELECT 1 FROM playbook_deliveries WHERE delivery_id = ${d.param('delivery_id', 'String')})`,
    params: { ...row },
  };
}

/** The project's queued deliveries due at an instant, the longest waiting first. */
export function compileDueDeliveries(
  d: Dialect,
  projectId: string,
  now: string,
  limit: number,
): Compiled {
  return {
    sql: `SELECT ${deliveryColumns}
FROM playbook_deliveries x
WHERE x.project_id = ${d.param('p', 'String')} AND x.status = 'queued'
  AND x.next_attempt_at <= ${d.param('now', 'DateTime')}
ORDER BY x.next_attempt_at, x.created_at, x.delivery_id
LIMIT ${d.param('limit', 'Int64')}`,
    params: { p: projectId, now, limit },
  };
}

/**
 * Takes a due delivery for one attempt: counts the attempt and moves its next attempt to the end
 * of a lease, so that another dispatcher leaves it alone while it is sent, and a dispatcher killed
 * mid-send sends it again once the lease is over. Changes one row when taken, none when another
 * dispatcher took it first.
 */
export function compileClaimDelivery(
  d: Dialect,
  claim: {
    id: string;
    /** The attempts counted when it was found due: another dispatcher's attempt changes them. */
    attempts: number;
    now: string;
    leaseUntil: string;
  },
): Compiled {
  return {
    sql: `UPDATE playbook_deliveries
SET attempts = attempts + 1, next_attempt_at = ${d.param('lease_until', 'DateTime')}
WHERE delivery_id = ${d.param('id', 'String')} AND status = 'queued'
  AND attempts = ${d.param('attempts', 'Int64')}
  AND next_attempt_at <= ${d.param('now', 'DateTime')}`,
    params: {
      id: claim.id,
      attempts: claim.attempts,
      now: claim.now,
      lease_until: claim.leaseUntil,
    },
  };
}

/** A delivery answered with 2xx: sent, never attempted again. */
export function compileMarkSent(d: Dialect, deliveryId: string, sentAt: string): Compiled {
  return {
    sql: `UPDATE playbook_deliveries
SET status = 'sent', sent_at = ${d.param('sent_at', 'DateTime')}, next_attempt_at = NULL,
  last_error = NULL
WHERE delivery_id = ${d.param('id', 'String')}`,
    params: { id: deliveryId, sent_at: sentAt },
  };
}

/** A failed attempt to be tried again at an instant. */
export function compileMarkRetry(
  d: Dialect,
  deliveryId: string,
  nextAttemptAt: string,
  error: string,
): Compiled {
  return {
    sql: `UPDATE playbook_deliveries
SET next_attempt_at = ${d.param('next_at', 'DateTime')}, last_error = ${d.param('error', 'String')}
WHERE delivery_id = ${d.param('id', 'String')} AND status = 'queued'`,
    params: { id: deliveryId, next_at: nextAttemptAt, error },
  };
}

/** A delivery given up on (refused, misconfigured, or out of attempts). */
export function compileMarkDead(d: Dialect, deliveryId: string, error: string): Compiled {
  return {
    sql: `UPDATE playbook_deliveries
SET status = 'dead', next_attempt_at = NULL, last_error = ${d.param('error', 'String')}
WHERE delivery_id = ${d.param('id', 'String')} AND status = 'queued'`,
    params: { id: deliveryId, error },
  };
}

/** Logs one attempt. */
export function compileInsertAttempt(d: Dialect, row: AttemptRow): Compiled {
  return {
    sql: `INSERT INTO playbook_attempts (delivery_id, attempt, started_at, finished_at,
  status_code, latency_ms, outcome, error)
VALUES (${d.param('delivery_id', 'String')}, ${d.param('attempt', 'Int64')},
  ${d.param('started_at', 'DateTime')}, ${d.param('finished_at', 'DateTime')},
  ${d.param('status_code', 'Int64')}, ${d.param('latency_ms', 'Int64')},
  ${d.param('outcome', 'String')}, ${d.param('error', 'String')})`,
    params: { ...row },
  };
}

/** What the delivery log is narrowed to; each filter left out matches everything. */
export interface DeliveryLogFilter {
  projectId: string;
  playbook?: string | undefined;
  status?: 'queued' | 'sent' | 'dead' | undefined;
  subjectId?: string | undefined;
  occurrenceId?: string | undefined;
  deliveryId?: string | undefined;
  /** At most this many, the newest first. */
  limit: number;
}

/**
 * The delivery log: deliveries with the occurrence each belongs to (its trigger, subject, account
 * and period), the newest first.
 */
export function compileDeliveryLog(d: Dialect, filter: DeliveryLogFilter): Compiled {
  const where = [`x.project_id = ${d.param('p', 'String')}`];
  const params: Record<string, string | number> = { p: filter.projectId, limit: filter.limit };
  const narrow = (column: string, name: string, value: string | undefined): void => {
    if (value === undefined) return;
    where.push(`${column} = ${d.param(name, 'String')}`);
    params[name] = value;
  };
  narrow('x.playbook', 'playbook', filter.playbook);
  narrow('x.status', 'status', filter.status);
  narrow('o.subject_id', 'subject', filter.subjectId);
  narrow('x.occurrence_id', 'occurrence', filter.occurrenceId);
  narrow('x.delivery_id', 'delivery', filter.deliveryId);
  return {
    sql: `SELECT ${deliveryColumns}, o.trigger, o.subject_type, o.subject_id, o.account_id,
  ${d.dateText('o.period_start')} AS period_start, o.fired_at
FROM playbook_deliveries x
JOIN playbook_occurrences o ON o.project_id = x.project_id AND o.occurrence_id = x.occurrence_id
WHERE ${where.join('\n  AND ')}
ORDER BY x.created_at DESC, x.occurrence_id, x.action_index
LIMIT ${d.param('limit', 'Int64')}`,
    params,
  };
}

/** The attempts of a project's deliveries, in the order they were made. */
export function compileAttempts(
  d: Dialect,
  projectId: string,
  deliveryIds: readonly string[],
): Compiled {
  return {
    sql: `SELECT a.delivery_id, a.attempt, a.started_at, a.finished_at, a.status_code, a.latency_ms,
  a.outcome, a.error
FROM playbook_attempts a
JOIN playbook_deliveries x ON x.delivery_id = a.delivery_id
WHERE x.project_id = ${d.param('p', 'String')}
  AND ${d.inList('a.delivery_id', d.param('ids', 'Array(String)'))}
ORDER BY a.delivery_id, a.started_at, a.attempt`,
    params: { p: projectId, ids: deliveryIds },
  };
}

/**
 * Queues a dead delivery of the project again, due at an instant, with a fresh count of attempts
 * (those made stay in the log). Changes one row when it was dead, none otherwise.
 */
export function compileRetryDead(
  d: Dialect,
  projectId: string,
  deliveryId: string,
  now: string,
): Compiled {
  return {
    sql: `UPDATE playbook_deliveries
SET status = 'queued', attempts = 0, next_attempt_at = ${d.param('now', 'DateTime')}
WHERE project_id = ${d.param('p', 'String')} AND delivery_id = ${d.param('id', 'String')}
  AND status = 'dead'`,
    params: { p: projectId, id: deliveryId, now },
  };
}

/** The project's deliveries counted per playbook and status (`playbook`, `status`, `n`). */
export function compileDeliveryCounts(d: Dialect, projectId: string): Compiled {
  return {
    sql: `SELECT x.playbook, x.status, count(*) AS n
FROM playbook_deliveries x
WHERE x.project_id = ${d.param('p', 'String')}
GROUP BY x.playbook, x.status`,
    params: { p: projectId },
  };
}
