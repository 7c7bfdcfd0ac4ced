import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBValue,
  listValue,
} from '@duckdb/node-api';
import type { Dialect } from '../../dialect/dialect.js';
import { duckdb } from '../../dialect/duckdb.js';
import type { SqlParams, SqlValue } from '../../dialect/sql-value.js';
import type { Engine, MigrationReport, QueryProgress, Row } from '../engine.js';
import { quoteIdent } from '../quote-ident.js';
import { Turns } from '../turns.js';
import { DUCKDB_MIGRATIONS } from './migrations.js';
import { rowToPlain } from './to-plain.js';

export interface DuckDbOptions {
  /** Database file; ':memory:' for a throw-away database. */
  path: string;
  /** DuckDB memory limit, e.g. '2GB'. Defaults to DuckDB's own (80% of RAM). */
  memoryLimit?: string | undefined;
  threads?: number | undefined;
}

function toDuckValue(value: SqlValue): DuckDBValue {
  if (Array.isArray(value)) return listValue([...value]);
  return value as DuckDBValue;
}

/**
 * Binds the parameters the statement names. DuckDB refuses a value for a parameter the text does
 * not use, and compiled statements often share one parameter set.
 */
function bind(sql: string, params: SqlParams | undefined): Record<string, DuckDBValue> | undefined {
  if (!params) return undefined;
  // One pass over the text for the names it uses, not one search per parameter.
  const named = new Set(Array.from(sql.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g), (m) => m[1]));
  const out: Record<string, DuckDBValue> = {};
  for (const [k, v] of Object.entries(params)) if (named.has(k)) out[k] = toDuckValue(v);
  return out;
}

const MEMORY_LIMIT = /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

export class DuckDbEngine implements Engine {
  readonly dialect: Dialect = duckdb;
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly side: DuckDBConnection,
  ) {}

  static async open(options: DuckDbOptions): Promise<DuckDbEngine> {
    const config: Record<string, string> = {};
    if (options.memoryLimit) {
      if (!MEMORY_LIMIT.test(options.memoryLimit)) {
        throw new Error(
          `memory limit "${options.memoryLimit}" is not understood: use a size such as 512MB or 4GB.`,
        );
      }
      config.memory_limit = options.memoryLimit;
    }
    if (options.threads) config.threads = String(options.threads);
    let path = options.path;
    if (path !== ':memory:') {
      path = resolve(path);
      mkdirSync(dirname(path), { recursive: true });
    }
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, config);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (/lock/i.test(msg)) {
        throw new Error(
          `the database ${path} is in use by another powerlens process (DuckDB allows one writer). Stop it, or pass another --db.`,
        );
      }
      throw new Error(`cannot open the database ${path}: ${msg}`);
    }
    const conn = await instance.connect();
    // Progress is read by runWithProgress; DuckDB's own terminal printing stays off. The session
    // zone is UTC whatever the machine's, so zone-less times and casts never depend on the host;
    // local days always name the project's zone explicitly.
    await conn.run(
      "SET enable_progress_bar = true; SET enable_progress_bar_print = false; SET TimeZone = 'UTC'",
    );
    const side = await instance.connect();
    await side.run("SET TimeZone = 'UTC'");
    return new DuckDbEngine(instance, conn, side);
  }

  private readonly turns = new Turns();
  private readonly inTransaction = new AsyncLocalStorage<true>();

  /** Statements and whole transactions take turns on the one connection (turns.ts). */
  private turn<T>(fn: () => Promise<T>): Promise<T> {
    return this.turns.take(fn);
  }

  run(sql: string, params?: SqlParams): Promise<number> {
    return this.turn(async () => (await this.conn.run(sql, bind(sql, params))).rowsChanged);
  }

  query<T = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.turn(async () => {
      const reader = await this.conn.runAndReadAll(sql, bind(sql, params));
      return reader.getRowObjectsJS().map((r) => rowToPlain(r) as T);
    });
  }

  async lookup<T = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    const reader = await this.side.runAndReadAll(sql, bind(sql, params));
    return reader.getRowObjectsJS().map((r) => rowToPlain(r) as T);
  }

  async *stream<T = Row>(sql: string, params?: SqlParams): AsyncIterable<T[]> {
    const result = await this.conn.stream(sql, bind(sql, params));
    for await (const rows of result.yieldRowObjectJs()) {
      yield rows.map((r) => rowToPlain(r) as T);
    }
  }

  async insert(table: string, rows: readonly Row[]): Promise<void> {
    const first = rows[0];
    if (!first) return;
    const columns = Object.keys(first);
    const colSql = columns.map(quoteIdent).join(', ');
    // Chunks keep each statement's parameter count modest.
    const chunkSize = Math.max(1, Math.floor(2000 / columns.length));
    for (let start = 0; start < rows.length; start += chunkSize) {
      const chunk = rows.slice(start, start + chunkSize);
      const params: Record<string, SqlValue> = {};
      const tuples = chunk.map((row, i) => {
        const names = columns.map((c, j) => {
          const name = `p${i}_${j}`;
          const v = row[c];
          params[name] = v === undefined ? null : (v as SqlValue);
          return `$${name}`;
        });
        return `(${names.join(', ')})`;
      });
      await this.run(
        `INSERT INTO ${quoteIdent(table)} (${colSql}) VALUES ${tuples.join(', ')}`,
        params,
      );
    }
  }

  async runWithProgress(
    sql: string,
    params: SqlParams,
    onProgress: (p: QueryProgress) => void,
    intervalMs = 250,
  ): Promise<number> {
    const timer = setInterval(() => {
      const p = this.conn.progress;
      onProgress({
        percentage: p.percentage,
        rowsProcessed: Number(p.rows_processed),
        totalRows: Number(p.total_rows_to_process),
      });
    }, intervalMs);
    try {
      return await this.run(sql, params);
    } finally {
      clearInterval(timer);
    }
  }

  async exportParquet(sql: string, params: SqlParams, path: string): Promise<void> {
    // COPY cannot take its target as a parameter, so the path becomes a quoted literal: control
    // characters are refused and single quotes doubled, which is all a SQL string literal needs.
    const target = resolve(path);
    if ([...target].some((ch) => ch.charCodeAt(0) < 32)) {
      throw new Error(`cannot write to ${JSON.stringify(path)}: the path has control characters.`);
    }
    mkdirSync(dirname(target), { recursive: true });
    const literal = `'${target.replace(/'/g, "''")}'`;
    await this.run(`COPY (${sql}) TO ${literal} (FORMAT parquet, COMPRESSION zstd)`, params);
  }

  hold<T>(fn: () => Promise<T>): Promise<T> {
    return this.turn(fn);
  }

  /** A transaction inside another joins it: the outer one commits or rolls back the whole. */
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTransaction.getStore()) return fn();
    return this.turn(() =>
      this.inTransaction.run(true, async () => {
        await this.conn.run('BEGIN TRANSACTION');
        try {
          const out = await fn();
          await this.conn.run('COMMIT');
          return out;
        } catch (err) {
          await this.conn.run('ROLLBACK');
          throw err;
        }
      }),
    );
  }

  async migrate(): Promise<MigrationReport> {
    await this.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)`);
    const rows = await this.query<{ v: number | null }>(
      'SELECT max(version) AS v FROM schema_migrations',
    );
    const from = rows[0]?.v ?? 0;
    const applied: string[] = [];
    for (const m of DUCKDB_MIGRATIONS) {
      if (m.version <= from) continue;
      await this.transaction(async () => {
        for (const statement of m.statements) await this.run(statement);
        await this.run('INSERT INTO schema_migrations (version, name) VALUES ($v, $n)', {
          v: m.version,
          n: m.name,
        });
      });
      applied.push(`${m.version}_${m.name}`);
    }
    const latest = DUCKDB_MIGRATIONS.at(-1)?.version ?? 0;
    if (from > latest) {
      throw new Error(
        `this database has schema version ${from}, newer than this powerlens (${latest}). Upgrade powerlens.`,
      );
    }
    return { from, to: Math.max(from, latest), applied };
  }

  interrupt(): void {
    this.conn.interrupt();
  }

  async close(): Promise<void> {
    this.side.closeSync();
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
