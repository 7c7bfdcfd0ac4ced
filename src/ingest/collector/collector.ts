import { stat } from 'node:fs/promises';
import type { Engine } from '../../engines/engine.js';
import type { Catalogue } from '../../model/catalogue.js';
import { verifyKey } from '../../projects/run-projects.js';
import { runRollup } from '../../rollup/run-rollup.js';
import { EventLog } from './event-log.js';
import { type LoadReport, loadSegment } from './load-segment.js';
import type { LogRecord } from './log-record.js';

export interface CollectorOptions {
  logDir: string;
  /** How often closed log segments are loaded into the engine. */
  loadIntervalMs?: number;
  /** How often the rollups are refreshed from the loaded events. */
  rollupIntervalMs?: number;
  sessionGapMinutes?: number;
  catalogue?: Catalogue | undefined;
  log?: (message: string) => void;
  /** Bytes accepted but not yet loaded beyond which requests get 429 (default 256 MB). */
  maxUnloadedBytes?: number;
  /** A message id seen within this many days is stored once (default 8). */
  dedupeDays?: number;
}

const KEY_CACHE_MS = 60_000;

/**
 * The collector's core (docs/decisions/0005): requests append records to the durable log and are
 * answered once it is fsync'd; a timer loads closed segments into the engine and another
 * refreshes the rollups. At start, segments left by a crash are loaded first.
 */
export class Collector {
  private readonly keys = new Map<string, { projectId: string | null; until: number }>();
  private timers: NodeJS.Timeout[] = [];
  private closing = false;
  private unloadedBytes = 0;

  private constructor(
    private readonly engine: Engine,
    readonly log: EventLog,
    private readonly options: CollectorOptions,
  ) {}

  static async start(engine: Engine, options: CollectorOptions): Promise<Collector> {
    const log = await EventLog.open(options.logDir);
    const c = new Collector(engine, log, options);
    const leftover = await c.loadClosed();
    if (leftover.length > 0) c.say(`loaded ${leftover.length} log segment(s) left by the last run`);
    c.timers.push(
      setInterval(() => c.tick(), options.loadIntervalMs ?? 1000),
      setInterval(
        () => void c.refreshRollups().catch((e) => c.say(`rollup failed: ${String(e)}`)),
        options.rollupIntervalMs ?? 60_000,
      ),
    );
    return c;
  }

  private say(message: string): void {
    this.options.log?.(message);
  }

  /** The project a write key belongs to, or null; answers are cached for a minute. */
  async projectOfWriteKey(key: string): Promise<string | null> {
    const hit = this.keys.get(key);
    if (hit && hit.until > Date.now()) return hit.projectId;
    const verified = await verifyKey(this.engine, key);
    const projectId = verified?.scope === 'write' ? verified.project_id : null;
    if (this.keys.size > 10_000) this.keys.clear();
    this.keys.set(key, { projectId, until: Date.now() + KEY_CACHE_MS });
    return projectId;
  }

  /** Resolves once the records are durable in the log. */
  accept(records: readonly LogRecord[]): Promise<void> {
    if (this.closing) return Promise.reject(new Error('the collector is shutting down'));
    const lines = records.map((r) => JSON.stringify(r));
    for (const l of lines) this.unloadedBytes += l.length + 1;
    return this.log.append(lines);
  }

  /** Too much accepted and not yet loaded: new requests should come back later (429). */
  overloaded(): boolean {
    return (
      this.closing || this.unloadedBytes > (this.options.maxUnloadedBytes ?? 256 * 1024 * 1024)
    );
  }

  private readonly failures = new Map<string, number>();

  private async loadClosed(): Promise<LoadReport[]> {
    const reports: LoadReport[] = [];
    for (const segment of this.log.closedSegments()) {
      const size = (await stat(segment)).size;
      try {
        reports.push(
          await loadSegment(this.engine, segment, { dedupeDays: this.options.dedupeDays ?? 8 }),
        );
        await this.log.markLoaded(segment);
      } catch (err) {
        // A segment that keeps failing would block every later one: after three attempts it is
        // set aside, kept on disk for a person to look at, and the others go on.
        const n = (this.failures.get(segment) ?? 0) + 1;
        this.failures.set(segment, n);
        if (n < 3) throw err;
        const kept = await this.log.quarantine(segment);
        this.failures.delete(segment);
        this.say(`could not load ${segment} three times (${String(err)}); moved to ${kept}`);
      }
      this.unloadedBytes = Math.max(0, this.unloadedBytes - size);
    }
    return reports;
  }

  private loading: Promise<LoadReport[]> = Promise.resolve([]);
  private loadRunning = false;

  /**
   * Closes the current segment and loads every closed one. Loads never overlap: a call made
   * while one runs waits for it and then runs again, so it sees every segment closed before it.
   */
  loadNow(): Promise<LoadReport[]> {
    const run = async () => {
      this.loadRunning = true;
      try {
        await this.log.rotate();
        return await this.loadClosed();
      } finally {
        this.loadRunning = false;
      }
    };
    this.loading = this.loading.then(run, run);
    return this.loading;
  }

  /** The timer's load: skipped while one is running, so slow loads do not pile up. */
  private tick(): void {
    if (this.loadRunning) return;
    this.loadNow().catch((e) => this.say(`load failed: ${String(e)}`));
  }

  /** Refreshes the rollups of every project with dirty days, in its own time zone. */
  async refreshRollups(): Promise<void> {
    const projects = await this.engine.query<{ project_id: string; time_zone: string }>(
      `SELECT DISTINCT p.project_id, p.time_zone FROM projects p
       JOIN rollup_dirty_days d USING (project_id)`,
    );
    for (const p of projects) {
      await runRollup(this.engine, {
        projectId: p.project_id,
        timeZone: p.time_zone,
        sessionGapMinutes: this.options.sessionGapMinutes ?? 30,
        catalogue: this.options.catalogue,
      });
    }
  }

  /** Whether the store answers and the log, where a 2xx puts events, takes durable writes. */
  async ready(): Promise<boolean> {
    if (this.closing) return false;
    try {
      await this.engine.query('SELECT 1 AS ok');
      await this.log.probe();
      return !this.closing;
    } catch {
      return false;
    }
  }

  /** Stops taking records, loads everything the log holds, refreshes the rollups. */
  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.timers) clearInterval(t);
    await this.loadNow();
    await this.refreshRollups();
    await this.log.close();
  }
}
