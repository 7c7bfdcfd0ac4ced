import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client';
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

/** The parameters a statement names as {name:Type}. */
function bind(sql: string, params: SqlParams | undefined): Record<string, SqlValue> {
  if (!params) return {};
  const named = new Set(Array.from(sql.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*):/g), (m) => m[1]));
  const out: Record<string, SqlValue> = {};
  for (const [k, v] of Object.entries(params)) if (named.has(k)) out[k] = v;
  return out;
}

/**
 * ClickHouse over HTTP with the official client: a server, a cluster or ClickHouse Cloud. Every
 * value travels as a query parameter; the dialect's session settings go with every request.
 * ClickHouse has no multi-statement transactions: `transaction` keeps this process's statements
 * in one sequence, and writers are written to be safe to run again instead (decision 0007).
 */
export class ClickHouseHttpEngine implements Engine {
  readonly dialect = 'clickhouse' as const;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly inTurn = new AsyncLocalStorage<true>();

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

  private turn<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTurn.getStore()) return fn();
    const go = () => this.inTurn.run(true, fn);
    const next = this.queue.then(go, go);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Rows changed are not reported for every statement over HTTP: always 0. */
  run(sql: string, params?: SqlParams): Promise<number> {
    return this.turn(async () => {
      await this.client.command({ query: sql, query_params: bind(sql, params) });
      return 0;
    });
  }

  query<T = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.turn(async () => {
      const result = await this.client.query({
        query: sql,
        query_params: bind(sql, params),
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
    return this.turn(async () => {
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
    return this.turn(fn);
  }

  async migrate(): Promise<MigrationReport> {
    return this.turn(async () => {
      for (const sql of clickhouseSchema({ database: this.database, cluster: this.cluster })) {
        await this.client.command({ query: sql });
      }
      const [row] = await this.query<{ v: number | null }>(
        'SELECT max(version) AS v FROM schema_migrations',
      );
      const from = row?.v ?? 0;
      if (from >= SCHEMA_VERSION) return { from, to: from, applied: [] };
      await this.run(
        `INSERT INTO schema_migrations (version, name) VALUES ({v:UInt32}, 'clickhouse_schema')`,
        { v: SCHEMA_VERSION },
      );
      await this.run(
        `INSERT INTO projects (project_id, name) SELECT 'default', 'Default project'
         WHERE (SELECT count() FROM projects WHERE project_id = 'default') = 0`,
      );
      return { from, to: SCHEMA_VERSION, applied: ['clickhouse_schema'] };
    });
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.client.close();
  }
}
