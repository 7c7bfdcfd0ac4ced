import { clickhouse } from '../../dialect/clickhouse.js';
import type { Dialect } from '../../dialect/dialect.js';
import type { SqlParams } from '../../dialect/sql-value.js';
import type { Engine, MigrationReport, QueryProgress, Row } from '../engine.js';
import { Turns } from '../turns.js';
import { migrateClickHouse } from './clickhouse-statements.js';
import { rowsOfCompact } from './to-plain.js';

/**
 * What both ClickHouse engines share, whichever way they reach ClickHouse (in-process through
 * chDB, or over HTTP): statements take turns, results come as JSONCompactEachRowWithNamesAndTypes
 * and become plain rows, migrations are the same. ClickHouse has no multi-statement transactions,
 * so `transaction` only keeps other callers' statements out of the sequence (decision 0007).
 * A subclass supplies the three ways of talking to ClickHouse and how to let go of it.
 */
export abstract class ClickHouseEngine implements Engine {
  readonly dialect: Dialect = clickhouse;
  protected readonly turns = new Turns();

  protected constructor(
    readonly database: string,
    protected readonly cluster: string | undefined,
  ) {}

  /** Runs a statement (parameters bound by their {name:Type} in the text). */
  protected abstract command(sql: string, params?: SqlParams): Promise<void>;
  /** Runs a query; the result as JSONCompactEachRowWithNamesAndTypes text. */
  protected abstract compactText(sql: string, params?: SqlParams): Promise<string>;
  protected abstract insertRows(table: string, rows: readonly Row[]): Promise<void>;
  protected abstract release(): Promise<void>;
  abstract exportParquet(sql: string, params: SqlParams, path: string): Promise<void>;

  /** Rows changed are not reported by ClickHouse for every statement: always 0. */
  run(sql: string, params?: SqlParams): Promise<number> {
    return this.turns.take(async () => {
      await this.command(sql, params);
      return 0;
    });
  }

  query<T = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.turns.take(async () => rowsOfCompact<T>(await this.compactText(sql, params)));
  }

  /** One session serves one statement at a time (scratch tables live in it): a turn like others. */
  lookup<T = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.query<T>(sql, params);
  }

  async *stream<T = Row>(sql: string, params?: SqlParams): AsyncIterable<T[]> {
    yield await this.query<T>(sql, params);
  }

  insert(table: string, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return this.turns.take(() => this.insertRows(table, rows));
  }

  async runWithProgress(
    sql: string,
    params: SqlParams,
    onProgress: (p: QueryProgress) => void,
  ): Promise<number> {
    onProgress({ percentage: -1, rowsProcessed: 0, totalRows: 0 });
    return this.run(sql, params);
  }

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.turns.take(fn);
  }

  hold<T>(fn: () => Promise<T>): Promise<T> {
    return this.turns.take(fn);
  }

  migrate(): Promise<MigrationReport> {
    return this.turns.take(() =>
      migrateClickHouse({
        database: this.database,
        cluster: this.cluster,
        run: (sql, params) => this.command(sql, params),
        query: async <T>(sql: string, params?: SqlParams) =>
          rowsOfCompact<T>(await this.compactText(sql, params)),
      }),
    );
  }

  /** A statement past the time limit is stopped by the server (max_execution_time, per query). */
  interrupt(): void {}

  async close(): Promise<void> {
    await this.turns.drain();
    await this.release();
  }
}
