import { createHash } from 'node:crypto';
import type { Engine } from '../engines/engine.js';
import type { Playbook } from '../model/playbook.js';
import {
  compileAttempts,
  compileDeliveryLog,
  compileInsertDelivery,
  compileInsertOccurrence,
  compileMarkDead,
  compileRecordedOccurrences,
  compileRetryDead,
  compileSubjectsFiredSince,
  type DeliveryLogFilter,
} from '../sql/compile-outbox.js';
import type { UnsubscribeSigner } from './channels/email.js';
import type { Delivery, DeliveryStatus, Occurrence } from './occurrence.js';
import { actionPayload, readTemplateTraits, templateContext } from './payloads.js';
import type { TemplateContext } from './template.js';
import { unsubscribeSigner } from './unsubscribe-token.js';

/**
 * The outbox (docs/playbooks.md, "Outbox and delivery"): an occurrence is recorded together with
 * one queued delivery per action of its playbook, in one transaction, so nothing fired is lost
 * (a crash leaves both or neither) and nothing is queued twice (an occurrence recorded before is
 * skipped, and a delivery's id follows from its occurrence and action).
 */

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * The id of an occurrence's action: `msg_` and 26 base-32 characters (130 bits) of the SHA-256 of
 * the occurrence id and the action's index, so the same action always has the same id.
 */
export function deliveryId(occurrenceId: string, actionIndex: number): string {
  const digest = createHash('sha256').update(`${occurrenceId}\n${actionIndex}`).digest();
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of digest) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < 26) {
      out += CROCKFORD[(value >> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length === 26) break;
  }
  return `msg_${out}`;
}

export interface RecordOptions {
  /** The dashboard's address, for each payload's link (null: no link). */
  baseUrl?: string | null | undefined;
  /** Told of each occurrence left for a later run by max_per_run (the cursors wait for it). */
  onOverLimit?: ((occurrence: Occurrence) => void) | undefined;
}

export interface RecordResult {
  /** Occurrences recorded now. */
  recorded: number;
  /** Occurrences not recorded: recorded before, in cooldown, or past max_per_run. */
  skipped: number;
  /** Deliveries queued for those recorded now. */
  queued: number;
  /** Of the skipped: recorded before (by occurrence id). */
  already: number;
  /** Of the skipped: the playbook fired for the subject within its cooldown_days. */
  cooldown: number;
  /** Of the skipped: past the playbook's max_per_run; they come again in the next run. */
  over_limit: number;
}

const DAY_MS = 86_400_000;

/**
 * Playbooks need multi-statement transactions (an occurrence and its deliveries land together):
 * DuckDB has them and the outbox's tables (migration 9); the ClickHouse engines have neither yet.
 */
export function assertOutboxEngine(engine: Engine): void {
  if (!engine.dialect.capabilities.transactions) {
    throw new Error(
      `playbooks run on DuckDB only for now: the ${engine.dialect.name} engine has no transactions to record an occurrence and its deliveries together.`,
    );
  }
}

/**
 * Records the occurrences not recorded yet and queues one delivery per action of each, in one
 * transaction, each payload fixed now. An occurrence is skipped when it was recorded before, when
 * its playbook fired for the subject within the playbook's cooldown_days, or past its
 * max_per_run (occurrences are taken in the order given).
 */
export async function recordOccurrences(
  engine: Engine,
  projectId: string,
  occurrences: readonly Occurrence[],
  playbooks: Readonly<Record<string, Playbook>>,
  now: Date,
  options: RecordOptions = {},
): Promise<RecordResult> {
  const result: RecordResult = {
    recorded: 0,
    skipped: 0,
    queued: 0,
    already: 0,
    cooldown: 0,
    over_limit: 0,
  };
  assertOutboxEngine(engine);
  checkOccurrences(projectId, occurrences, playbooks);
  if (occurrences.length === 0) return result;
  const firedAt = now.toISOString();
  await engine.transaction(async () => {
    const ids = occurrences.map((o) => o.occurrence_id);
    const recordedBefore = await recordedOccurrenceIds(engine, projectId, ids);
    const cooling = await subjectsInCooldown(engine, projectId, occurrences, playbooks, now);
    // Which are recorded now: not before, not in a cooldown, within max_per_run.
    const firedNow = new Map<string, number>();
    const toRecord: Occurrence[] = [];
    for (const o of occurrences) {
      const playbook = playbooks[o.playbook] as Playbook;
      if (recordedBefore.has(o.occurrence_id)) {
        result.already++;
        continue;
      }
      const subjectKey = `${o.playbook}\n${o.subject_id}`;
      if (cooling.has(subjectKey)) {
        result.cooldown++;
        continue;
      }
      const count = firedNow.get(o.playbook) ?? 0;
      if (count >= playbook.limits.max_per_run) {
        result.over_limit++;
        options.onOverLimit?.(o);
        continue;
      }
      // The same id twice in the list: the second finds the first recorded.
      recordedBefore.add(o.occurrence_id);
      toRecord.push(o);
      firedNow.set(o.playbook, count + 1);
      // Within the cooldown, the same subject does not fire twice in one run either.
      if (playbook.limits.cooldown_days > 0) cooling.add(subjectKey);
    }
    if (toRecord.length === 0) return;
    // Only for those recorded: a run that finds everything recorded before reads no traits and
    // makes no unsubscribe key.
    const traits = await readTemplateTraits(engine, projectId, toRecord, playbooks);
    const sign = await unsubscribeSigner(engine, playbooks, options.baseUrl);
    for (const o of toRecord) {
      const playbook = playbooks[o.playbook] as Playbook;
      const ctx = templateContext(o, traits, options.baseUrl);
      const queued = await recordOne(engine, o, playbook, firedAt, ctx, options.baseUrl, sign);
      if (queued === null) {
        result.already++;
        continue;
      }
      result.recorded++;
      result.queued += queued;
    }
  });
  result.skipped = result.already + result.cooldown + result.over_limit;
  return result;
}

/** Occurrences of another project or of a playbook not configured are the caller's mistake. */
function checkOccurrences(
  projectId: string,
  occurrences: readonly Occurrence[],
  playbooks: Readonly<Record<string, Playbook>>,
): void {
  for (const o of occurrences) {
    if (o.project_id !== projectId) {
      throw new Error(
        `occurrence ${o.occurrence_id} is of project ${o.project_id}, not ${projectId}`,
      );
    }
    if (!playbooks[o.playbook]) {
      throw new Error(`occurrence ${o.occurrence_id} names an unknown playbook "${o.playbook}"`);
    }
  }
}

/**
 * Records one occurrence and queues a delivery per action of its playbook, the body fixed now.
 * Returns the deliveries queued, or null when the occurrence was recorded already.
 */
async function recordOne(
  engine: Engine,
  o: Occurrence,
  playbook: Playbook,
  firedAt: string,
  ctx: TemplateContext,
  baseUrl: string | null | undefined,
  sign: UnsubscribeSigner | null,
): Promise<number | null> {
  const d = engine.dialect;
  const changed = await engine.run(
    ...args(
      compileInsertOccurrence(d, {
        project_id: o.project_id,
        occurrence_id: o.occurrence_id,
        playbook: o.playbook,
        trigger: o.trigger,
        subject_type: o.subject_type,
        subject_id: o.subject_id,
        account_id: o.account_id,
        period_start: o.period_start,
        explanation: o.explanation,
        data: JSON.stringify(o.data),
        fired_at: firedAt,
      }),
    ),
  );
  if (changed === 0) return null;
  let queued = 0;
  for (const [index, action] of playbook.actions.entries()) {
    const { channel, payload, dead } = actionPayload(action, ctx, baseUrl, sign);
    const id = deliveryId(o.occurrence_id, index);
    queued += await engine.run(
      ...args(
        compileInsertDelivery(d, {
          delivery_id: id,
          occurrence_id: o.occurrence_id,
          project_id: o.project_id,
          playbook: o.playbook,
          action_index: index,
          channel,
          payload,
          created_at: firedAt,
        }),
      ),
    );
    // Nothing to send it to: recorded, and dead at once with the reason (never silently skipped).
    if (dead !== undefined) await engine.run(...args(compileMarkDead(d, id, dead)));
  }
  return queued;
}

/** `playbook\nsubject` of the subjects each playbook with a cooldown fired for within it. */
async function subjectsInCooldown(
  engine: Engine,
  projectId: string,
  occurrences: readonly Occurrence[],
  playbooks: Readonly<Record<string, Playbook>>,
  now: Date,
): Promise<Set<string>> {
  const out = new Set<string>();
  const subjectsByPlaybook = new Map<string, Set<string>>();
  for (const o of occurrences) {
    const set = subjectsByPlaybook.get(o.playbook) ?? new Set<string>();
    set.add(o.subject_id);
    subjectsByPlaybook.set(o.playbook, set);
  }
  for (const [name, subjects] of subjectsByPlaybook) {
    const days = playbooks[name]?.limits.cooldown_days ?? 0;
    if (days === 0) continue;
    const since = new Date(now.getTime() - days * DAY_MS).toISOString();
    const rows = await engine.query<{ subject_id: string }>(
      ...args(compileSubjectsFiredSince(engine.dialect, projectId, name, since, [...subjects])),
    );
    for (const r of rows) out.add(`${name}\n${r.subject_id}`);
  }
  return out;
}

/** A compiled statement as the engine's arguments. */
function args(c: { sql: string; params: Parameters<Engine['run']>[1] }) {
  return [c.sql, c.params] as const;
}

/** A delivery in the log, with the occurrence it belongs to. */
export interface DeliveryLogEntry extends Delivery {
  sent_at: string | null;
  trigger: string;
  subject_type: string;
  subject_id: string;
  account_id: string;
  period_start: string;
  fired_at: string;
}

/** One attempt at a delivery, as logged. */
export interface DeliveryAttempt {
  delivery_id: string;
  attempt: number;
  started_at: string;
  finished_at: string;
  status_code: number | null;
  latency_ms: number;
  outcome: 'sent' | 'retry' | 'dead';
  error: string | null;
}

export interface DeliveryLogOptions {
  playbook?: string | undefined;
  status?: DeliveryStatus | undefined;
  subjectId?: string | undefined;
  occurrenceId?: string | undefined;
  deliveryId?: string | undefined;
  /** At most this many deliveries, the newest first (default 100). */
  limit?: number | undefined;
  /** Each delivery with its attempts. */
  withAttempts?: boolean | undefined;
}

/** The project's deliveries, newest first, narrowed by the filters given. */
export async function deliveryLog(
  engine: Engine,
  projectId: string,
  options: DeliveryLogOptions = {},
): Promise<(DeliveryLogEntry & { attempt_log?: DeliveryAttempt[] })[]> {
  const filter: DeliveryLogFilter = {
    projectId,
    playbook: options.playbook,
    status: options.status,
    subjectId: options.subjectId,
    occurrenceId: options.occurrenceId,
    deliveryId: options.deliveryId,
    limit: options.limit ?? 100,
  };
  const rows = await engine.query<DeliveryLogEntry>(
    ...args(compileDeliveryLog(engine.dialect, filter)),
  );
  if (!options.withAttempts || rows.length === 0) return rows;
  const attempts = await engine.query<DeliveryAttempt>(
    ...args(
      compileAttempts(
        engine.dialect,
        projectId,
        rows.map((r) => r.delivery_id),
      ),
    ),
  );
  return rows.map((r) => ({
    ...r,
    attempt_log: attempts.filter((a) => a.delivery_id === r.delivery_id),
  }));
}

/**
 * Queues a dead delivery again, due at `now`, with a fresh count of attempts. Returns whether it
 * was dead (false: no such delivery in the project, or not dead).
 */
export async function retryDeadDelivery(
  engine: Engine,
  projectId: string,
  id: string,
  now: Date,
): Promise<boolean> {
  const changed = await engine.run(
    ...args(compileRetryDead(engine.dialect, projectId, id, now.toISOString())),
  );
  return changed > 0;
}

/** Which of these occurrences are recorded already (a preview marks them). */
export async function recordedOccurrenceIds(
  engine: Engine,
  projectId: string,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await engine.query<{ occurrence_id: string }>(
    ...args(compileRecordedOccurrences(engine.dialect, projectId, ids)),
  );
  return new Set(rows.map((r) => r.occurrence_id));
}
