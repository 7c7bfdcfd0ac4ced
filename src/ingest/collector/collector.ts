import { stat } from 'node:fs/promises';
import type { Engine } from '../../engines/engine.js';
import type { Catalogue } from '../../model/catalogue.js';
import { KeyCache } from '../../projects/key-cache.js';
import { runRollup } from '../../rollup/run-rollup.js';
import { compileProjectsWithDirtyDays } from '../../sql/compile-projects.js';
import { EventLog } from './event-log.js';
import { type LoadReport, loadSegment } from './load-segment.js';
import { loadSegmentIntoClickHouse } from './load-segment-into-clickhouse.js';
import { type LogLine, logLine } from './log-line.js';
import type { LogRecord } from './log-record.js';
import { replaceRefusedLines } from './replace-refused-lines.js';

export interface CollectorOptions {
  logDir: string;
  /** How often closed log segments are loaded into the engine. */
  loadIntervalMs?: number;
  /** How often the rollups are refreshed from the loaded events. */
  rollupIntervalMs?: number;
  sessionGapMinutes?: number;
  /** The feature catalogue of a project, which its rollups count features by. */
  catalogueOf?: ((projectId: string) => Catalogue | undefined) | undefined;
  log?: (message: string) => void;
  /** Bytes accepted but not yet loaded beyond which requests get 429 (default 256 MB). */
  maxUnloadedBytes?: number;
  /** A message id seen within this many days is stored once (default 8). */
  dedupeDays?: number;
  /**
   * The database file the engine writes (embedded DuckDB): the collector is not ready once it is
   * gone or replaced, since what is loaded then lands nowhere anyone will read.
   */
  databaseFile?: string | undefined;
  /**
   * After each timed rollup refresh, with the projects it refreshed (maybe none): serve runs the
   * playbooks there. A failure is logged, never thrown: the next refresh calls it again.
   */
  afterRefresh?: ((refreshed: string[]) => Promise<void>) | undefined;
}

/**
 * The collector's core (docs/decisions/0005): requests append records to the durable log and are
 * answered once it is fsync'd; a timer loads closed segments into the engine and another
 * refreshes the rollups. At start, segments left by a crash are loaded first.
 */
export class Collector {
  private timers: NodeJS.Timeout[] = [];
  private databaseInode = 0;
  private closing = false;
  private unloadedBytes = 0;

  private constructor(
    readonly engine: Engine,
    readonly log: EventLog,
    private readonly options: CollectorOptions,
  ) {
    this.writeKeys = new KeyCache(engine, 'write');
  }

  private readonly writeKeys: KeyCache;

  static async start(engine: Engine, options: CollectorOptions): Promise<Collector> {
    const log = await EventLog.open(options.logDir);
    const c = new Collector(engine, log, options);
    if (options.databaseFile) c.databaseInode = (await stat(options.databaseFile)).ino;
    for (const segment of log.closedSegments()) c.unloadedBytes += (await stat(segment)).size;
    // Segments left by the last run are loaded first; one that cannot be loaded now does not
    // keep the server from starting: the load timer tries again, and /readyz says not ready.
    try {
      const leftover = await c.loadClosed();
      if (leftover.length > 0)
        c.say(`loaded ${leftover.length} log segment(s) left by the last run`);
    } catch (err) {
      c.say(`could not load the segments left by the last run yet: ${String(err)}`);
    }
    c.timers.push(
      setInterval(() => c.tick(), options.loadIntervalMs ?? 1000),
      setInterval(() => c.rollupTick(), options.rollupIntervalMs ?? 60_000),
    );
    return c;
  }

  private say(message: string): void {
    this.options.log?.(message);
  }

  /** The project a write key belongs to, or null (cached: key-cache.ts). */
  projectOfWriteKey(key: string): Promise<string | null> {
    return this.writeKeys.projectOf(key);
  }

  private rollupRunning = false;

  /** The timer's refresh: skipped while one runs, so a slow refresh does not queue more. */
  private rollupTick(): void {
    if (this.rollupRunning) return;
    this.rollupRunning = true;
    this.refreshRollups()
      .then(
        (refreshed) =>
          this.options
            .afterRefresh?.(refreshed)
            .catch((e) => this.say(`after the rollup refresh: ${String(e)}`)),
        (e) => this.say(`rollup failed: ${String(e)}`),
      )
      .finally(() => {
        this.rollupRunning = false;
      });
  }

  /** Resolves once the records are durable in the log. */
  accept(records: readonly LogRecord[]): Promise<void> {
    return this.acceptLines(records.map(logLine));
  }

  /** Resolves once the lines (each one log record, made by logLine) are durable in the log. */
  acceptLines(lines: readonly LogLine[]): Promise<void> {
    if (this.closing) return Promise.reject(new Error('the collector is shutting down'));
    // Characters, not bytes: close enough for a bound, and no second pass over every line.
    let size = 0;
    for (const l of lines) size += l.length + 1;
    this.unloadedBytes += size;
    return this.log.append(lines).catch((err: unknown) => {
      this.unloadedBytes = Math.max(0, this.unloadedBytes - size);
      throw err;
    });
  }

  /** Too much accepted and not yet loaded: new requests should come back later (429). */
  overloaded(): boolean {
    return (
      this.closing || this.unloadedBytes > (this.options.maxUnloadedBytes ?? 256 * 1024 * 1024)
    );
  }

  /** The last load's error, until a load succeeds: the store is not taking events. */
  private loadError: unknown = null;
  private readonly failures = new Map<string, number>();

  /**
   * One segment into the engine. When the loader refuses it, the lines it refuses are found one
   * by one, replaced by failed records of their projects (kept in quarantine/ as they were), and
   * the rest is loaded: one bad line never holds back the acknowledged events around it.
   */
  private async loadOne(segment: string): Promise<LoadReport> {
    const loader = this.engine.dialect.name === 'duckdb' ? loadSegment : loadSegmentIntoClickHouse;
    const load = () => loader(this.engine, segment, { dedupeDays: this.options.dedupeDays ?? 8 });
    try {
      return await load();
    } catch (err) {
      const bad = await replaceRefusedLines(this.engine, segment, (lines, refused) =>
        this.log.rewriteSegment(segment, lines, refused),
      ).catch((e: unknown) => {
        this.say(`${segment}: could not look for refused lines: ${String(e)}`);
        return null;
      });
      if (!bad) throw err;
      this.say(
        `${segment}: ${bad.refused} line(s) the loader refused are kept in ${bad.keptIn} and in failed_events; loading the rest`,
      );
      return load();
    }
  }

  /**
   * Loads the closed segments in order. A failure (the database full or failing) leaves the
   * segment where it is, counted against the back-pressure bound, to be tried again: acknowledged
   * events are not moved out of the way for a problem of the store. Lines the loader refuses are
   * set aside one by one (loadOne); a segment whose every line loads into a scratch database but
   * that still fails three times while a later one loads is left for a person in quarantine/, a
   * last resort that keeps the others going.
   */
  private async loadClosed(): Promise<LoadReport[]> {
    const reports: LoadReport[] = [];
    const stuck: string[] = [];
    for (const segment of this.log.closedSegments()) {
      const size = (await stat(segment)).size;
      let report: LoadReport;
      try {
        report = await this.loadOne(segment);
      } catch (err) {
        this.loadError = err;
        const n = (this.failures.get(segment) ?? 0) + 1;
        this.failures.set(segment, n);
        if (n < 3) throw err;
        stuck.push(segment);
        continue;
      }
      reports.push(report);
      await this.log.markLoaded(segment);
      this.unloadedBytes = Math.max(0, this.unloadedBytes - size);
      this.loadError = null;
      for (const s of stuck.splice(0)) {
        const kept = await this.log.quarantine(s);
        this.failures.delete(s);
        this.unloadedBytes = Math.max(0, this.unloadedBytes - (await stat(kept)).size);
        this.say(`${s} failed to load three times while later segments loaded; moved to ${kept}`);
      }
    }
    if (stuck.length > 0) throw this.loadError;
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

  /** Refreshes the rollups of every project with dirty days, in its own time zone; says which. */
  async refreshRollups(): Promise<string[]> {
    const dirty = compileProjectsWithDirtyDays();
    const projects = await this.engine.query<{ project_id: string; time_zone: string }>(
      dirty.sql,
      dirty.params,
    );
    for (const p of projects) {
      await runRollup(this.engine, {
        projectId: p.project_id,
        timeZone: p.time_zone,
        sessionGapMinutes: this.options.sessionGapMinutes ?? 30,
        catalogue: this.options.catalogueOf?.(p.project_id),
      });
    }
    return projects.map((p) => p.project_id);
  }

  /**
   * Whether events are being stored: the last load into the database worked (loads are its
   * writes, every second while traffic comes) and the log, where a 2xx puts events, takes durable
   * writes. Answered without waiting behind a running load or rollup.
   */
  async ready(): Promise<boolean> {
    if (this.closing || this.loadError !== null) return false;
    try {
      if (this.options.databaseFile) {
        if ((await stat(this.options.databaseFile)).ino !== this.databaseInode) return false;
      }
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
    try {
      await this.loadNow();
      await this.refreshRollups();
    } finally {
      // What could not be loaded stays in the log for the next start.
      await this.log.close();
    }
  }
}
