import { AsyncLocalStorage } from 'node:async_hooks';
import { checkDeadline } from './deadline.js';

/**
 * One connection serves every caller (a server's requests, its timers): statements and whole
 * transactions take turns, so nobody's statement lands inside someone else's transaction. The
 * statements a turn runs itself are already in it and go straight through.
 */
export class Turns {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly inTurn = new AsyncLocalStorage<true>();

  take<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTurn.getStore()) {
      checkDeadline();
      return fn();
    }
    const go = () => {
      checkDeadline();
      return this.inTurn.run(true, fn);
    };
    const next = this.queue.then(go, go);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every turn taken so far is over. */
  async drain(): Promise<void> {
    await this.queue.catch(() => undefined);
  }
}
