/**
 * What to do after an attempt to send a delivery (docs/playbooks.md, "Outbox and delivery"):
 * sent on 2xx; dead on a refusal that sending again cannot change (4xx but 408 and 429) or once
 * the attempts are spent; else retry after a delay. Pure: the caller gives the clock and the
 * random numbers.
 *
 * The delay is exponential backoff with "equal jitter": the n-th attempt's backoff is
 * min(cap, base * 2^(n-1)), and the delay drawn is between half of it and all of it
 * (backoff * (0.5 + 0.5 * random())), so retries spread out yet never come sooner than half the
 * backoff. A Retry-After header (seconds, or an HTTP date) is honoured when it asks for longer,
 * up to a day.
 */

export const RETRY_POLICY = {
  /** Attempts in all, the first included; the last failing one makes the delivery dead. */
  maxAttempts: 8,
  baseMs: 30_000,
  capMs: 6 * 60 * 60_000,
  /** A Retry-After asking for longer than this is held to it. */
  maxRetryAfterMs: 24 * 60 * 60_000,
} as const;

/** How an attempt ended. */
export type AttemptResult =
  /** The receiver answered (any status); `detail`: what its refusal's body said, if kept. */
  | {
      kind: 'response';
      status: number;
      retryAfter?: string | null | undefined;
      detail?: string | undefined;
    }
  /** The SMTP server replied to the message with this code (2xx: accepted). */
  | { kind: 'smtp'; code: number; message: string }
  /** No answer: the connection failed, or the time limit passed (`timeout`). */
  | { kind: 'network'; error: string; timeout: boolean }
  /** The delivery cannot be sent as configured (an environment variable missing, ...). */
  | { kind: 'config'; error: string };

export type RetryDecision =
  | { outcome: 'sent' }
  | { outcome: 'dead'; reason: string }
  | { outcome: 'retry'; delayMs: number; reason: string };

export interface RetryOptions {
  /** When the attempt ended: a Retry-After date is read against it. */
  now: Date;
  /** A number in [0, 1), as Math.random. */
  random: () => number;
  maxAttempts?: number;
}

/** The backoff drawn after the n-th attempt (1-based), with equal jitter. */
export function backoffMs(attempt: number, random: () => number): number {
  const exponent = Math.max(0, attempt - 1);
  const full = Math.min(RETRY_POLICY.capMs, RETRY_POLICY.baseMs * 2 ** exponent);
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(full * (0.5 + 0.5 * r));
}

/**
 * A Retry-After header's wait in milliseconds (delta-seconds or an HTTP date read against
 * `now`), or null when it is absent or not understood. A date in the past means 0.
 */
export function retryAfterMs(header: string | null | undefined, now: Date): number | null {
  if (header === null || header === undefined) return null;
  const value = header.trim();
  if (value === '') return null;
  if (/^\d+$/.test(value)) return Math.min(Number(value) * 1000, RETRY_POLICY.maxRetryAfterMs);
  // An HTTP date names its month (Date.parse would read '-5' as a year).
  const at = /[A-Za-z]/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, at - now.getTime()), RETRY_POLICY.maxRetryAfterMs);
}

/** Whether a status is a refusal that sending again cannot change. */
function isFinalRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** The decision after attempt number `attempt` (1-based) ended with `result`. */
export function decideRetry(
  attempt: number,
  result: AttemptResult,
  options: RetryOptions,
): RetryDecision {
  const maxAttempts = options.maxAttempts ?? RETRY_POLICY.maxAttempts;
  let reason: string;
  let wait: number | null = null;
  if (result.kind === 'config') return { outcome: 'dead', reason: result.error };
  if (result.kind === 'smtp') {
    if (result.code >= 200 && result.code < 300) return { outcome: 'sent' };
    // 5xx is a permanent refusal (no such mailbox, policy); 4xx a transient one (greylisting).
    if (result.code >= 500) {
      return { outcome: 'dead', reason: `refused with SMTP ${result.code}: ${result.message}` };
    }
    reason = `SMTP ${result.code}: ${result.message}`;
  } else if (result.kind === 'response') {
    if (result.status >= 200 && result.status < 300) return { outcome: 'sent' };
    const said = result.detail ? `: ${result.detail}` : '';
    if (isFinalRefusal(result.status)) {
      return { outcome: 'dead', reason: `refused with HTTP ${result.status}${said}` };
    }
    reason = `HTTP ${result.status}${said}`;
    wait = retryAfterMs(result.retryAfter, options.now);
  } else {
    reason = result.timeout ? `timed out: ${result.error}` : `network error: ${result.error}`;
  }
  if (attempt >= maxAttempts) {
    return { outcome: 'dead', reason: `${reason}; gave up after ${attempt} attempts` };
  }
  const backoff = backoffMs(attempt, options.random);
  return { outcome: 'retry', delayMs: Math.max(backoff, wait ?? 0), reason };
}
