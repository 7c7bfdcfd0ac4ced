import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Session } from 'chdb';
import { clickhouse } from '../../sql/dialects/clickhouse.js';
import type { Engine, MigrationReport, QueryProgress, Row, SqlParams } from '../engine.js';
import { Turns } from '../take-turns.js';
import { bindClickHouse, migrateClickHouse } from './clickhouse-statements.js';
import { rowsOfCompact } from './to-plain.js';

export interface ChdbOptions {
  /** Data directory of the embedded ClickHouse (created when missing). */
  path: string;
  /** Database the tables live in (default "powerlens"). */
  database?: string | undefined;
}

/**
 * ClickHouse in-process (chDB): the same engine a server runs, as a library, on a data directory.
 * Used by the tests (the conformance suite runs every compiled query here and on DuckDB) and as
 * the optional embedded mode `--engine chdb`. One data directory per process (a libchdb limit).
 * ClickHouse has no multi-statement transactions, so `transaction` only keeps other callers'
 * statements out of the sequence (decision 0007).
 */
export class ChdbEngine implements Engine {
  readonly dialect = 'clickhouse' as const;
  private readonly turns = new Turns();

  private constructor(
    private readonly session: Session,
    readonly database: string,
  ) {}

  static async open(options: ChdbOptions): Promise<ChdbEngine> {
    const path = resolve(options.path);
    mkdirSync(path, { recursive: true });
    const database = options.database ?? 'powerlens';
    const session = new Session(path);
    const quoted = `\`${database.replace(/`/g, '')}\``;
    await session.queryAsync(`CREATE DATABASE IF NOT EXISTS ${quoted}`);
    // Unqualified names in compiled queries are this database's tables.
    await session.queryAsync(`USE ${quoted}`);
    // What the shared SQL assumes (src/sql/dialects/clickhouse.ts); values are the dialect's own.
    for (const [name, value] of Object.entries(clickhouse.sessionSettings)) {
      await session.queryAsync(`SET ${name} = ${typeof value === 'number' ? value : `'${value}'`}`);
    }
    return new ChdbEngine(session, database);
  }

  private async exec(sql: string, params?: SqlParams): Promise<string> {
    const result = await this.session.queryBindAsync(sql, bindClickHouse(sql, params), {
      format: 'JSONCompactEachRowWithNamesAndTypes',
    });
    return result.text();
  }

  /** ClickHouse does not report changed rows to chDB: always 0. */
  run(sql: string, params?: SqlParams): Promise<number> {
    return this.turns.take(async () => {
      await this.exec(sql, params);
      return 0;
    });
  }

  query<T = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.turns.take(async () => rowsOfCompact<T>(await this.exec(sql, params)));
  }

  async *stream<T = Row>(sql: string, params?: SqlParams): AsyncIterable<T[]> {
    yield await this.query<T>(sql, params);
  }

  insert(table: string, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return this.turns.take(async () => {
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
    const target = path.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
    return this.run(
      `INSERT INTO FUNCTION file('${target}', 'Parquet') ${sql} SETTINGS engine_file_truncate_on_insert = 1`,
      params,
    ).then(() => undefined);
  }

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.turns.take(fn);
  }

  migrate(): Promise<MigrationReport> {
    return this.turns.take(() =>
      migrateClickHouse({
        database: this.database,
        run: (sql, params) => this.exec(sql, params),
        query: async <T>(sql: string, params?: SqlParams) =>
          rowsOfCompact<T>(await this.exec(sql, params)),
      }),
    );
  }

  async close(): Promise<void> {
    await this.turns.drain();
    this.session.close();
  }
}
