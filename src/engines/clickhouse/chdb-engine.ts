import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Session } from 'chdb';
import { clickhouse } from '../../sql/dialects/clickhouse.js';
import type {
  Engine,
  MigrationReport,
  QueryProgress,
  Row,
  SqlParams,
  SqlValue,
} from '../engine.js';
import { clickhouseSchema, SCHEMA_VERSION } from './schema.js';
import { rowsOfCompact } from './to-plain.js';

export interface ChdbOptions {
  /** Data directory of the embedded ClickHouse (created when missing). */
  path: string;
  /** Database the tables live in (default "powerlens"). */
  database?: string | undefined;
}

/** The parameters a statement names as {name:Type}; ClickHouse refuses none, but sends fewer. */
function bind(sql: string, params: SqlParams | undefined): Record<string, SqlValue> {
  if (!params) return {};
  const named = new Set(Array.from(sql.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*):/g), (m) => m[1]));
  const out: Record<string, SqlValue> = {};
  for (const [k, v] of Object.entries(params)) if (named.has(k)) out[k] = v;
  return out;
}

/**
 * ClickHouse in-process (chDB): the same engine a server runs, as a library, on a data directory.
 * Used by the tests (the conformance suite runs every compiled query here and on DuckDB) and as
 * the optional embedded mode `--engine chdb`. One data directory per process (a libchdb limit).
 * Statements take turns like the DuckDB engine's; ClickHouse has no multi-statement transactions,
 * so `transaction` only keeps other callers' statements out of the sequence.
 */
export class ChdbEngine implements Engine {
  readonly dialect = 'clickhouse' as const;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly inTurn = new AsyncLocalStorage<true>();

  private constructor(
    private readonly session: Session,
    readonly database: string,
  ) {}

  static async open(options: ChdbOptions): Promise<ChdbEngine> {
    const path = resolve(options.path);
    mkdirSync(path, { recursive: true });
    const database = options.database ?? 'powerlens';
    const session = new Session(path);
    const engine = new ChdbEngine(session, database);
    await session.queryAsync(`CREATE DATABASE IF NOT EXISTS \`${database.replace(/`/g, '')}\``);
    // Unqualified names in compiled queries are this database's tables.
    await session.queryAsync(`USE \`${database.replace(/`/g, '')}\``);
    // What the shared SQL assumes (src/sql/dialects/clickhouse.ts); values are the dialect's own.
    for (const [name, value] of Object.entries(clickhouse.sessionSettings)) {
      await session.queryAsync(`SET ${name} = ${typeof value === 'number' ? value : `'${value}'`}`);
    }
    return engine;
  }

  private turn<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTurn.getStore()) return fn();
    const go = () => this.inTurn.run(true, fn);
    const next = this.queue.then(go, go);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async exec(sql: string, params?: SqlParams): Promise<string> {
    const result = await this.session.queryBindAsync(sql, bind(sql, params), {
      format: 'JSONCompactEachRowWithNamesAndTypes',
    });
    return result.text();
  }

  /** ClickHouse does not report changed rows to chDB: always 0. */
  run(sql: string, params?: SqlParams): Promise<number> {
    return this.turn(async () => {
      await this.exec(sql, params);
      return 0;
    });
  }

  query<T = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.turn(async () => {
      return rowsOfCompact<T>(await this.exec(sql, params));
    });
  }

  async *stream<T = Row>(sql: string, params?: SqlParams): AsyncIterable<T[]> {
    yield await this.query<T>(sql, params);
  }

  insert(table: string, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return this.turn(async () => {
      await this.session.insert({ table, values: rows as Record<string, unknown>[] });
    });
  }

  async runWithProgress(
    sql: string,
    params: SqlParams,
    onProgress: (p: QueryProgress) => void,
  ): Promise<number> {
    onProgress({ percentage: -1, rowsProcessed: 0, totalRows: 0 });
    return this.run(sql, params);
  }

  exportParquet(sql: string, params: SqlParams, path: string): Promise<void> {
    const target = path.replace(/'/g, "\\'");
    return this.run(
      `INSERT INTO FUNCTION file('${target}', 'Parquet') ${sql} SETTINGS engine_file_truncate_on_insert = 1`,
      params,
    ).then(() => undefined);
  }

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.turn(fn);
  }

  async migrate(): Promise<MigrationReport> {
    return this.turn(async () => {
      for (const sql of clickhouseSchema({ database: this.database })) await this.exec(sql);
      const [row] = await this.query<{ v: number | null }>(
        'SELECT max(version) AS v FROM schema_migrations',
      );
      const from = row?.v ?? 0;
      if (from >= SCHEMA_VERSION) return { from, to: from, applied: [] };
      await this.exec(
        `INSERT INTO schema_migrations (version, name) VALUES ({v:UInt32}, 'clickhouse_schema')`,
        { v: SCHEMA_VERSION },
      );
      await this.exec(
        `INSERT INTO projects (project_id, name) SELECT 'default', 'Default project'
         WHERE (SELECT count() FROM projects WHERE project_id = 'default') = 0`,
      );
      return { from, to: SCHEMA_VERSION, applied: ['clickhouse_schema'] };
    });
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    this.session.close();
  }
}
