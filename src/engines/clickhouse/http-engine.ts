import { readFileSync } from 'node:fs';
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { clickhouse } from '../../sql/dialects/clickhouse.js';
import type { Engine, MigrationReport, QueryProgress, Row, SqlParams } from '../engine.js';
import { Turns } from '../take-turns.js';
import { bindClickHouse, migrateClickHouse } from './clickhouse-statements.js';
import { clickhouseSchema } from './schema.js';
import { rowsOfCompact } from './to-plain.js';

export interface ClickHouseHttpOptions {
  /** e.g. https://host:8443 (ClickHouse Cloud) or http://127.0.0.1:8123. */
  url: string;
  user?: string | undefined;
  password?: string | undefined;
  /** Database the tables live in (default "powerlens"); created by migrate. */
  database?: string | undefined;
  /** Create replicated and Distributed tables ON CLUSTER this name (docs/scale-out.md). */
  cluster?: string | undefined;
  /** TLS: a CA certificate file, and a client certificate and key for mutual TLS. */
  tls?: { caCert: string; cert?: string | undefined; key?: string | undefined } | undefined;
  requestTimeoutMs?: number | undefined;
}

function tls(options: ClickHouseHttpOptions): object {
  if (!options.tls) return {};
  const { caCert, cert, key } = options.tls;
  return {
    tls: {
      ca_cert: readFileSync(caCert),
      ...(cert && key ? { cert: readFileSync(cert), key: readFileSync(key) } : {}),
    },
  };
}

/**
 * ClickHouse over HTTP with the official client: a server, a cluster or ClickHouse Cloud. Every
 * value travels as a query parameter; the dialect's session settings go with every request.
 * ClickHouse has no multi-statement transactions: `transaction` keeps this process's statements
 * in one sequence, and writers are written to be safe to run again instead (decision 0007).
 */
export class ClickHouseHttpEngine implements Engine {
  readonly dialect = 'clickhouse' as const;
  private readonly turns = new Turns();

  private constructor(
    private readonly client: ClickHouseClient,
    readonly database: string,
    private readonly cluster: string | undefined,
  ) {}

  static async open(options: ClickHouseHttpOptions): Promise<ClickHouseHttpEngine> {
    const database = options.database ?? 'powerlens';
    const connect = (db: string) =>
      createClient({
        url: options.url,
        username: options.user ?? 'default',
        password: options.password ?? '',
        database: db,
        request_timeout: options.requestTimeoutMs ?? 300_000,
        clickhouse_settings: { ...clickhouse.sessionSettings },
        // Failures reach the caller as errors; the client's own log would print them twice.
        log: { level: ClickHouseLogLevel.OFF },
        ...tls(options),
      } as Parameters<typeof createClient>[0]);
    // The database must exist before a client can name it in its requests.
    const bootstrap = connect('default');
    try {
      const ping = await bootstrap.ping();
      if (!ping.success) {
        throw new Error(`ClickHouse at ${options.url} does not answer: ${String(ping.error)}`);
      }
      const [createDb] = clickhouseSchema({ database, cluster: options.cluster });
      if (createDb) await bootstrap.command({ query: createDb });
    } finally {
      await bootstrap.close();
    }
    return new ClickHouseHttpEngine(connect(database), database, options.cluster);
  }

  /** Rows changed are not reported for every statement over HTTP: always 0. */
  run(sql: string, params?: SqlParams): Promise<number> {
    return this.turns.take(async () => {
      await this.client.command({ query: sql, query_params: bindClickHouse(sql, params) });
      return 0;
    });
  }

  query<T = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.turns.take(async () => {
      const result = await this.client.query({
        query: sql,
        query_params: bindClickHouse(sql, params),
        format: 'JSONCompactEachRowWithNamesAndTypes',
      });
      return rowsOfCompact<T>(await result.text());
    });
  }

  async *stream<T = Row>(sql: string, params?: SqlParams): AsyncIterable<T[]> {
    yield await this.query<T>(sql, params);
  }

  insert(table: string, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return this.turns.take(async () => {
      await this.client.insert({ table, values: rows as Row[], format: 'JSONEachRow' });
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

  exportParquet(): Promise<void> {
    return Promise.reject(
      new Error('export to Parquet runs on the embedded engines; on a server, use its own tools'),
    );
  }

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.turns.take(fn);
  }

  migrate(): Promise<MigrationReport> {
    return this.turns.take(() =>
      migrateClickHouse({
        database: this.database,
        cluster: this.cluster,
        run: (sql, params) =>
          this.client.command({ query: sql, query_params: bindClickHouse(sql, params) }),
        query: async <T>(sql: string, params?: SqlParams) => {
          const result = await this.client.query({
            query: sql,
            query_params: bindClickHouse(sql, params),
            format: 'JSONCompactEachRowWithNamesAndTypes',
          });
          return rowsOfCompact<T>(await result.text());
        },
      }),
    );
  }

  async close(): Promise<void> {
    await this.turns.drain();
    await this.client.close();
  }
}
