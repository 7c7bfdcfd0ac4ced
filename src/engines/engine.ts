/**
 * The one small interface every analytical engine implements. Nothing above src/engines imports a
 * driver: callers hand SQL text with named parameters and get plain JS rows back.
 */

import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';

/** A result row with JSON-friendly values (BIGINT becomes number when safe, timestamps ISO text). */
export type Row = Record<string, unknown>;

export interface QueryProgress {
  /** 0..100, or -1 when the engine cannot tell. */
  percentage: number;
  rowsProcessed: number;
  totalRows: number;
}

export interface MigrationReport {
  from: number;
  to: number;
  applied: string[];
}

export interface Engine {
  /** The SQL this engine speaks; compilers ask it for the pieces that differ. */
  readonly dialect: Dialect;
  /** Runs a statement; returns the number of rows it changed when the engine reports it. */
  run(sql: string, params?: SqlParams): Promise<number>;
  /** Runs a query and returns every row. Use `stream` for results that may be large. */
  query<T = Row>(sql: string, params?: SqlParams): Promise<T[]>;
  /**
   * A small read that never waits for the turn of a long statement or transaction: on DuckDB it
   * runs on a second connection beside them (seeing what is committed), elsewhere as `query`.
   * For what must answer at once whatever the engine is busy with (a key lookup on ingest).
   */
  lookup<T = Row>(sql: string, params?: SqlParams): Promise<T[]>;
  /** Yields result rows in chunks, so large results never sit in memory at once. */
  stream<T = Row>(sql: string, params?: SqlParams): AsyncIterable<T[]>;
  /** Appends rows to a table in one batch; column names come from the first row. */
  insert(table: string, rows: readonly Row[]): Promise<void>;
  /** Runs a long statement while reporting progress every `intervalMs`. */
  runWithProgress(
    sql: string,
    params: SqlParams,
    onProgress: (p: QueryProgress) => void,
    intervalMs?: number,
  ): Promise<number>;
  /** Streams a query's result into a Parquet file (never held in memory). */
  exportParquet(sql: string, params: SqlParams, path: string): Promise<void>;
  /**
   * Runs `fn` holding the engine's turn without a transaction: nobody else's statement runs
   * until it ends, and statements made in its async context (or a function bound to it with
   * AsyncResource.bind) go straight through. For a client that drives the engine statement by
   * statement from elsewhere (the CLI while serve holds the database).
   */
  hold<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs `fn` in one transaction: everything it wrote lands, or nothing does. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  migrate(): Promise<MigrationReport>;
  /**
   * Stops the statement running now, which then fails (a request past its time limit,
   * deadline.ts); engines that cannot stop one let their server's own limit do it.
   */
  interrupt(): void;
  close(): Promise<void>;
}
