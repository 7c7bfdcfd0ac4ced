import { AsyncLocalStorage } from 'node:async_hooks';
import { resolve } from 'node:path';
import type { Dialect } from '../../dialect/dialect.js';
import { duckdb } from '../../dialect/duckdb.js';
import type { SqlParams } from '../../dialect/sql-value.js';
import type { Engine, MigrationReport, QueryProgress, Row } from '../engine.js';

/**
 * The DuckDB database of a running `powerlens serve`, reached through its engine sessions
 * (src/server/engine-sessions.ts): each statement is sent to the server, which runs it on the
 * database it holds, in a session that keeps everyone else's statements out until `close`.
 * Everything else a command does happens here, as it would against the file.
 */
export class RemoteEngine implements Engine {
  readonly dialect: Dialect = duckdb;
  private readonly inTransaction = new AsyncLocalStorage<true>();

  private constructor(
    readonly url: string,
    private readonly token: string,
    private readonly session: string,
  ) {}

  /** Opens a session; waits, as a local statement would, for the server's running work. */
  static async open(url: string, token: string): Promise<RemoteEngine> {
    const r = await fetch(`${url}/admin/v1/engine/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await r.json().catch(() => ({}))) as { session?: string; error?: string };
    if (r.status !== 201 || !body.session) {
      throw new Error(`the server at ${url} refused a session: ${body.error ?? r.statusText}`);
    }
    return new RemoteEngine(url, token, body.session);
  }

  private async call<T>(statement: Record<string, unknown>): Promise<T> {
    const r = await fetch(`${this.url}/admin/v1/engine/sessions/${this.session}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(statement),
    });
    const body = (await r.json().catch(() => ({}))) as T & { error?: string };
    if (r.status !== 200) throw new Error(body.error ?? `the server answered ${r.status}`);
    return body;
  }

  async run(sql: string, params: SqlParams = {}): Promise<number> {
    return (await this.call<{ changed: number }>({ op: 'run', sql, params })).changed;
  }

  async query<T = Row>(sql: string, params: SqlParams = {}): Promise<T[]> {
    return (await this.call<{ rows: T[] }>({ op: 'query', sql, params })).rows;
  }

  lookup<T = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.query<T>(sql, params);
  }

  async *stream<T = Row>(sql: string, params?: SqlParams): AsyncIterable<T[]> {
    yield await this.query<T>(sql, params);
  }

  async insert(table: string, rows: readonly Row[]): Promise<void> {
    if (rows.length > 0) await this.call({ op: 'insert', table, rows });
  }

  async runWithProgress(
    sql: string,
    params: SqlParams,
    onProgress: (p: QueryProgress) => void,
  ): Promise<number> {
    onProgress({ percentage: -1, rowsProcessed: 0, totalRows: 0 });
    return this.run(sql, params);
  }

  async exportParquet(sql: string, params: SqlParams, path: string): Promise<void> {
    // The server writes the file: the path must not depend on its working directory.
    await this.call({ op: 'exportParquet', sql, params, path: resolve(path) });
  }

  /** The server holds this session's turn already; a transaction is its statements. */
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTransaction.getStore()) return fn();
    return this.inTransaction.run(true, async () => {
      await this.run('BEGIN TRANSACTION');
      try {
        const out = await fn();
        await this.run('COMMIT');
        return out;
      } catch (err) {
        await this.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  hold<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  /** The server migrated the database when it started; this asks it to make sure. */
  migrate(): Promise<MigrationReport> {
    return this.call<MigrationReport>({ op: 'migrate' });
  }

  interrupt(): void {}

  async close(): Promise<void> {
    await fetch(`${this.url}/admin/v1/engine/sessions/${this.session}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${this.token}` },
    }).catch(() => undefined);
  }
}
