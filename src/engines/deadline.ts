import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A time limit on a piece of engine work (one API request): statements started after it has
 * passed fail at once, and the statement running when it passes is interrupted, so no request
 * can hold the one connection for long. The work must hold the engine's turn for its whole
 * length (run it inside engine.transaction), so an interruption can only ever hit its own
 * statements.
 */
export class DeadlineError extends Error {
  readonly statusCode = 503;
}

interface Limit {
  at: number;
  seconds: number;
  expired: boolean;
}

const current = new AsyncLocalStorage<Limit>();

const tooLong = (limit: Limit) =>
  new DeadlineError(
    `the request needed more than ${limit.seconds} s of the database and was stopped: ask for less (a shorter window, fewer periods), or raise api.request_timeout_seconds in powerlens.yaml`,
  );

/** Runs `fn` with a time limit; `interrupt` stops the engine's running statement. */
export async function withDeadline<T>(
  ms: number,
  interrupt: () => void,
  fn: () => Promise<T>,
): Promise<T> {
  const limit: Limit = { at: Date.now() + ms, seconds: Math.round(ms / 100) / 10, expired: false };
  const timer = setTimeout(() => {
    limit.expired = true;
    interrupt();
  }, ms);
  try {
    return await current.run(limit, fn);
  } catch (err) {
    throw limit.expired ? tooLong(limit) : err;
  } finally {
    clearTimeout(timer);
  }
}

/** Throws when the work this statement belongs to is past its time limit. */
export function checkDeadline(): void {
  const limit = current.getStore();
  if (limit && (limit.expired || Date.now() >= limit.at)) {
    limit.expired = true;
    throw tooLong(limit);
  }
}

/** Whole seconds left to the current time limit (at least 1), or undefined without one. */
export function secondsLeft(): number | undefined {
  const limit = current.getStore();
  return limit ? Math.max(1, Math.ceil((limit.at - Date.now()) / 1000)) : undefined;
}
