import { ClickHouseHttpEngine } from './clickhouse/http-engine.js';
import { DuckDbEngine } from './duckdb/duckdb-engine.js';
import type { Engine } from './engine.js';

export type EngineKind = 'duckdb' | 'chdb' | 'clickhouse';
export const ENGINE_KINDS: readonly EngineKind[] = ['duckdb', 'chdb', 'clickhouse'];

export interface EngineChoice {
  engine: EngineKind;
  /** DuckDB file, or chDB data directory. */
  db: string;
  memoryLimit?: string | undefined;
  clickhouseUrl?: string | undefined;
  clickhouseUser?: string | undefined;
  clickhousePassword?: string | undefined;
  clickhouseDatabase?: string | undefined;
  cluster?: string | undefined;
  /** TLS for https URLs: a CA certificate file, and a client certificate and key (mutual TLS). */
  clickhouseCaCert?: string | undefined;
  clickhouseCert?: string | undefined;
  clickhouseKey?: string | undefined;
}

function tlsOf(choice: EngineChoice) {
  if ((choice.clickhouseCert === undefined) !== (choice.clickhouseKey === undefined)) {
    throw new Error('--clickhouse-cert and --clickhouse-key go together (mutual TLS): pass both.');
  }
  if (!choice.clickhouseCaCert) {
    if (choice.clickhouseCert) {
      throw new Error(
        '--clickhouse-cert needs --clickhouse-ca-cert, the CA that signed the server.',
      );
    }
    return undefined;
  }
  return {
    caCert: choice.clickhouseCaCert,
    cert: choice.clickhouseCert,
    key: choice.clickhouseKey,
  };
}

/** Opens the chosen engine. chDB is loaded only when asked for: it is an optional dependency. */
export async function openEngine(choice: EngineChoice): Promise<Engine> {
  if (choice.engine === 'duckdb') {
    return DuckDbEngine.open({ path: choice.db, memoryLimit: choice.memoryLimit });
  }
  if (choice.engine === 'chdb') {
    let mod: typeof import('./clickhouse/chdb-engine.js');
    try {
      mod = await import('./clickhouse/chdb-engine.js');
    } catch (err) {
      throw new Error(
        `--engine chdb needs the optional package chdb (Linux or macOS): npm install chdb (${String(err)})`,
      );
    }
    return mod.ChdbEngine.open({ path: choice.db, database: choice.clickhouseDatabase });
  }
  if (!choice.clickhouseUrl) {
    throw new Error(
      '--engine clickhouse needs --clickhouse-url, e.g. http://127.0.0.1:8123 or https://host:8443',
    );
  }
  return ClickHouseHttpEngine.open({
    url: choice.clickhouseUrl,
    user: choice.clickhouseUser,
    password: choice.clickhousePassword,
    database: choice.clickhouseDatabase,
    cluster: choice.cluster,
    tls: tlsOf(choice),
  });
}
