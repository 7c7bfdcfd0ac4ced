import type { Engine } from '../engines/engine.js';
import { type Action, channelOf, type Playbook } from '../model/playbook.js';
import {
  compileClaimDelivery,
  compileDueDeliveries,
  compileInsertAttempt,
  compileMarkDead,
  compileMarkRetry,
  compileMarkSent,
} from '../sql/compile-outbox.js';
import { normaliseAddress, recipientOfPayload } from './channels/email.js';
import { sendAction } from './channels/send-action.js';
import type { Delivery } from './occurrence.js';
import { assertOutboxEngine } from './outbox.js';
import { type AttemptResult, decideRetry, type RetryDecision } from './retry-policy.js';
import { SUPPRESSED, suppressedAmong } from './suppressions.js';

/**
 * The dispatcher (docs/playbooks.md, "Outbox and delivery"): sends the deliveries that are due,
 * one after another, and records each attempt. A delivery is marked sent only after a 2xx; a
 * dispatcher killed mid-send leaves it queued (its attempt counted, due again when the lease
 * taken for the attempt ends), and it is sent again with the same webhook-id, which receivers
 * dedupe by (as Standard Webhooks asks them to).
 */

export interface DispatchOptions {
  projectId: string;
  /** The playbooks as configured now: a delivery's action is read from its playbook. */
  playbooks: Readonly<Record<string, Playbook>>;
  /** When the run starts: what is due by then is sent; later instants follow the real clock. */
  now: Date;
  /** Where URLs and secrets are read from by name (process.env in production). */
  env: Readonly<Record<string, string | undefined>>;
  /** A number in [0, 1), for the retry delays' jitter (Math.random in production). */
  random: () => number;
  fetch?: typeof fetch;
  /** The wall clock, for the webhook-timestamp each attempt is signed with (default: real time). */
  clock?: () => Date;
  /** At most this many deliveries in one run (default 1000). */
  limit?: number;
  /** Deliveries sent at the same time (default 8). */
  concurrency?: number;
  /**
   * How long recording a batch may wait for the engine's turn behind an API request: serve's
   * `api.request_timeout_seconds` in ms when the dispatcher shares serve's engine (POST
   * /playbooks/run, or the CLI reaching a running serve). Default 0: a CLI that opened the file
   * itself holds it alone, so nothing else takes turns or deliveries. It lengthens every lease.
   */
  turnWaitMs?: number;
}

export interface DispatchResult {
  /** Deliveries due when the run started. */
  due: number;
  sent: number;
  /** Failed and queued again for later. */
  retried: number;
  /** Given up on: refused, misconfigured, or out of attempts. */
  dead: number;
  /** Due but taken by another dispatcher in the meantime. */
  skipped: number;
}

/**
 * How long past a batch's time limits and turn wait its lease lasts: what those bounds do not
 * cover (starting the sends after the take commits, a garbage-collection pause, writing the
 * records). A crashed dispatcher's deliveries wait this much longer than the limits.
 */
export const LEASE_MARGIN_MS = 20_000;

/**
 * The lease of every delivery of a batch: a batch is recorded only after its slowest send, so
 * each lease lasts as long as the whole batch may: the batch's largest time limit once per round
 * of sends (each send is cut off at its own limit, e-mail included: channels/email.ts), then the
 * wait for the engine's turn to record (one API request's time limit: the recording queues behind
 * whatever holds the turn), then a margin. A lease shorter than that would let another
 * dispatcher (serve beside the CLI, POST /playbooks/run) send the delivery again meanwhile.
 * Several slow API requests queued ahead could still outlast it: receivers dedupe by webhook-id.
 */
export function leaseMs(
  timeoutsSeconds: readonly number[],
  rounds: number,
  turnWaitMs: number,
): number {
  return rounds * Math.max(0, ...timeoutsSeconds) * 1000 + turnWaitMs + LEASE_MARGIN_MS;
}

/** Sends the project's due deliveries and records each attempt. */
export async function dispatchDue(
  engine: Engine,
  options: DispatchOptions,
): Promise<DispatchResult> {
  assertOutboxEngine(engine);
  const started = performance.now();
  // The run's own time: the `now` given, moved on by the real time the run has taken.
  const at = () => new Date(options.now.getTime() + Math.round(performance.now() - started));
  const due = await engine.query<Delivery>(
    ...args(
      compileDueDeliveries(
        engine.dialect,
        options.projectId,
        options.now.toISOString(),
        options.limit ?? 1000,
      ),
    ),
  );
  const result: DispatchResult = { due: due.length, sent: 0, retried: 0, dead: 0, skipped: 0 };
  // In batches: the outbox's commits, not the sends, bound the rate, so a batch is taken in one
  // transaction and its attempts recorded in another. A dispatcher killed mid-batch leaves the
  // batch's deliveries to be sent again, same ids, once their leases are over.
  for (let i = 0; i < due.length; i += BATCH) {
    const batch = due.slice(i, i + BATCH);
    // The batch is sent this many sends after another, and recorded only when all are done.
    const rounds = Math.ceil(batch.length / Math.max(1, options.concurrency ?? 8));
    const lease = leaseMs(
      batch.map((d) => timeoutOf(actionOf(d, options.playbooks))),
      rounds,
      options.turnWaitMs ?? 0,
    );
    const taken = await engine.transaction(async () => {
      const out: Omit<Taken, 'suppressed'>[] = [];
      for (const delivery of batch) {
        const t = await take(engine, delivery, options, at, lease);
        if (t) out.push(t);
      }
      // Read here, within the batch's turn, so the sends need none (they would queue behind API
      // requests, outside what the lease counts): one query for the batch's recipients.
      const addresses = out.flatMap((t) => (t.to === null ? [] : [t.to]));
      const suppressed = await suppressedAmong(engine, options.projectId, addresses);
      return out.map((t) => ({
        ...t,
        suppressed: t.to !== null && suppressed.has(normaliseAddress(t.to)),
      }));
    });
    result.skipped += batch.length - taken.length;
    // A few sends at once: a slow receiver does not hold up the rest.
    const done: Attempted[] = [];
    let next = 0;
    // No engine work between taking and recording: a send never waits for the engine's turn.
    const worker = async () => {
      for (let t = taken[next++]; t; t = taken[next++]) done.push(await attemptOne(t, options, at));
    };
    const workers = Math.max(1, Math.min(options.concurrency ?? 8, taken.length));
    await Promise.all(Array.from({ length: workers }, worker));
    await engine.transaction(async () => {
      for (const a of done) await recordAttempt(engine, a);
    });
    for (const a of done) {
      if (a.decision.outcome === 'sent') result.sent++;
      else if (a.decision.outcome === 'dead') result.dead++;
      else result.retried++;
    }
  }
  return result;
}

/**
 * Deliveries taken and recorded together. A dispatcher killed mid-batch sends at most this many
 * again (same ids) once their leases end: its attempts are recorded after the whole batch.
 */
export const BATCH = 50;

interface Taken {
  delivery: Delivery;
  action: Action | undefined;
  /** An e-mail's recipient, from its queued message (null: not an e-mail, or none). */
  to: string | null;
  /** An e-mail whose recipient is on the suppression list (read when taken). */
  suppressed: boolean;
}

interface Attempted {
  delivery: Delivery;
  attempt: number;
  startedAt: Date;
  finishedAt: Date;
  latencyMs: number;
  outcome: AttemptResult;
  decision: RetryDecision;
}

/** The delivery's action as configured now, if the playbook still has it on the same channel. */
function actionOf(delivery: Delivery, playbooks: DispatchOptions['playbooks']): Action | undefined {
  const action = playbooks[delivery.playbook]?.actions[delivery.action_index];
  return action && channelOf(action) === delivery.channel ? action : undefined;
}

/** The action's time limit in seconds. */
function timeoutOf(action: Action | undefined): number {
  return (action?.webhook ?? action?.slack ?? action?.email)?.timeout_seconds ?? 0;
}

/** Sends the delivery once on its action's channel (an e-mail to a suppressed address: not at all). */
async function send(taken: Taken, options: DispatchOptions): Promise<AttemptResult> {
  const { delivery, action } = taken;
  if (!action) {
    return {
      kind: 'config',
      error: `the playbook ${delivery.playbook} has no ${delivery.channel} action ${delivery.action_index + 1} any more`,
    };
  }
  if (action.email && taken.to === null) {
    return { kind: 'config', error: 'the queued message has no recipient' };
  }
  if (taken.suppressed) return { kind: 'config', error: SUPPRESSED };
  return sendAction(action, {
    id: delivery.delivery_id,
    payload: delivery.payload,
    env: options.env,
    timestamp: (options.clock ?? (() => new Date()))(),
    fetch: options.fetch,
  });
}

/**
 * Takes a due delivery for one attempt: counts the attempt and moves its next attempt to the end
 * of a lease. Null when another dispatcher took it first.
 */
async function take(
  engine: Engine,
  delivery: Delivery,
  options: DispatchOptions,
  at: () => Date,
  leaseMs: number,
): Promise<Omit<Taken, 'suppressed'> | null> {
  const action = actionOf(delivery, options.playbooks);
  const claimed = await engine.run(
    ...args(
      compileClaimDelivery(engine.dialect, {
        id: delivery.delivery_id,
        attempts: delivery.attempts,
        now: options.now.toISOString(),
        leaseUntil: new Date(at().getTime() + leaseMs).toISOString(),
      }),
    ),
  );
  if (claimed === 0) return null;
  return { delivery, action, to: action?.email ? recipientOfPayload(delivery.payload) : null };
}

/** One attempt at a taken delivery: sends it and decides what comes next. */
async function attemptOne(
  taken: Taken,
  options: DispatchOptions,
  at: () => Date,
): Promise<Attempted> {
  const { delivery } = taken;
  const attempt = delivery.attempts + 1;
  const startedAt = at();
  const t0 = performance.now();
  const outcome = await send(taken, options);
  const latencyMs = Math.round(performance.now() - t0);
  const finishedAt = at();
  const decision = decideRetry(attempt, outcome, { now: finishedAt, random: options.random });
  return { delivery, attempt, startedAt, finishedAt, latencyMs, outcome, decision };
}

/** Logs an attempt and moves its delivery on (sent, dead, or due again later). */
async function recordAttempt(engine: Engine, a: Attempted): Promise<void> {
  const d = engine.dialect;
  const id = a.delivery.delivery_id;
  const { outcome, decision } = a;
  await engine.run(
    ...args(
      compileInsertAttempt(d, {
        delivery_id: id,
        attempt: a.attempt,
        started_at: a.startedAt.toISOString(),
        finished_at: a.finishedAt.toISOString(),
        status_code:
          outcome.kind === 'response'
            ? outcome.status
            : outcome.kind === 'smtp'
              ? outcome.code
              : null,
        latency_ms: a.latencyMs,
        outcome: decision.outcome,
        error: decision.outcome === 'sent' ? null : decision.reason,
      }),
    ),
  );
  if (decision.outcome === 'sent') {
    await engine.run(...args(compileMarkSent(d, id, a.finishedAt.toISOString())));
  } else if (decision.outcome === 'dead') {
    await engine.run(...args(compileMarkDead(d, id, decision.reason)));
  } else {
    const next = new Date(a.finishedAt.getTime() + decision.delayMs).toISOString();
    await engine.run(...args(compileMarkRetry(d, id, next, decision.reason)));
  }
}

/** A compiled statement as the engine's arguments. */
function args(c: { sql: string; params: Parameters<Engine['run']>[1] }) {
  return [c.sql, c.params] as const;
}
