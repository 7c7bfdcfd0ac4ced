import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { clickhouse } from '../../dialect/clickhouse.js';
import type { SqlParams } from '../../dialect/sql-value.js';
import { secondsLeft } from '../deadline.js';
import type { Row } from '../engine.js';
import { ClickHouseEngine } from './clickhouse-engine.js';
import { bindClickHouse } from './clickhouse-statements.js';
import { clickhouseSchema } from './schema.js';

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

/** A certificate file's bytes, or an error that names the file and the flag. */
function certificate(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(
      `${flag} ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)}).`,
    );
  }
}

function tls(options: ClickHouseHttpOptions): object {
  if (!options.tls) return {};
  const { caCert, cert, key } = options.tls;
  return {
    tls: {
      ca_cert: certificate(caCert, '--clickhouse-ca-cert'),
      ...(cert && key
        ? {
            cert: certificate(cert, '--clickhouse-cert'),
            key: certificate(key, '--clickhouse-key'),
          }
        : {}),
    },
  };
}

/** The session settings plus the time left to a request's limit, when there is one. */
function timeLimit(): { clickhouse_settings?: Record<string, string | number> } {
  const seconds = secondsLeft();
  return seconds === undefined
    ? {}
    : { clickhouse_settings: { ...clickhouse.sessionSettings, max_execution_time: seconds } };
}

/**
 * ClickHouse over HTTP with the official client: a server, a cluster or ClickHouse Cloud. Every
 * value travels as a query parameter; the dialect's session settings go with every request.
 */
export class ClickHouseHttpEngine extends ClickHouseEngine {
  private constructor(
    private readonly client: ClickHouseClient,
    database: string,
    cluster: string | undefined,
  ) {
    super(database, cluster);
  }

  static async open(options: ClickHouseHttpOptions): Promise<ClickHouseHttpEngine> {
    const database = options.database ?? 'powerlens';
    const connect = (db: string) =>
      createClient({
        url: options.url,
        username: options.user ?? 'default',
        password: options.password ?? '',
        database: db,
        request_timeout: options.requestTimeoutMs ?? 300_000,
        // Scratch tables are session tables (the dialect's scratchTable); statements take turns,
        // so the session never sees two requests at once.
        session_id: randomUUID(),
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

  protected async command(sql: string, params?: SqlParams): Promise<void> {
    await this.client.command({
      query: sql,
      query_params: bindClickHouse(sql, params),
      ...timeLimit(),
    });
  }

  protected async compactText(sql: string, params?: SqlParams): Promise<string> {
    const result = await this.client.query({
      query: sql,
      query_params: bindClickHouse(sql, params),
      format: 'JSONCompactEachRowWithNamesAndTypes',
      ...timeLimit(),
    });
    return result.text();
  }

  protected async insertRows(table: string, rows: readonly Row[]): Promise<void> {
    await this.client.insert({ table, values: rows as Row[], format: 'JSONEachRow' });
  }

  exportParquet(): Promise<void> {
    return Promise.reject(
      new Error('export to Parquet runs on the embedded engines; on a server, use its own tools'),
    );
  }

  protected async release(): Promise<void> {
    await this.client.close();
  }
}
