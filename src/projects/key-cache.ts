import type { Engine } from '../engines/engine.js';
import type { KeyScope } from './api-keys.js';
import { verifyKey } from './run-projects.js';

const KEY_CACHE_MS = 60_000;
const MAX_KEYS = 10_000;

/**
 * The project of a presented key of one scope (write keys for the collector, read keys for the
 * API), or null. Answers are cached: after a minute a request still gets the cached answer at
 * once while the key is checked again in the background, so no request waits behind a load or a
 * rollup for a key it used before; a revoked key stops working about a minute after revocation.
 */
export class KeyCache {
  private readonly keys = new Map<string, { projectId: string | null; until: number }>();
  private readonly rechecking = new Set<string>();

  constructor(
    private readonly engine: Engine,
    private readonly scope: KeyScope,
  ) {}

  async projectOf(key: string): Promise<string | null> {
    const hit = this.keys.get(key);
    if (hit) {
      if (hit.until <= Date.now() && !this.rechecking.has(key)) {
        this.rechecking.add(key);
        void this.check(key)
          .catch(() => undefined)
          .finally(() => this.rechecking.delete(key));
      }
      return hit.projectId;
    }
    return this.check(key);
  }

  private async check(key: string): Promise<string | null> {
    const verified = await verifyKey(this.engine, key);
    const projectId = verified?.scope === this.scope ? verified.project_id : null;
    // Least recently checked first out (a Map keeps insertion order), so a flood of made-up
    // keys cannot push the real ones out all at once.
    this.keys.delete(key);
    this.keys.set(key, { projectId, until: Date.now() + KEY_CACHE_MS });
    if (this.keys.size > MAX_KEYS) {
      const oldest = this.keys.keys().next().value;
      if (oldest !== undefined) this.keys.delete(oldest);
    }
    return projectId;
  }
}
