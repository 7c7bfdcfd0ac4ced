import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dialect } from '../../src/dialect/dialect.js';
import { DUCKDB_TYPES } from '../../src/dialect/duckdb.js';
import { ChdbEngine } from '../../src/engines/clickhouse/chdb-engine.js';
import { ClickHouseHttpEngine } from '../../src/engines/clickhouse/http-engine.js';
import { DuckDbEngine } from '../../src/engines/duckdb/duckdb-engine.js';
import type { Engine } from '../../src/engines/engine.js';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './clickhouse-http-endpoint.js';

export type EngineName = 'duckdb' | 'chdb' | 'clickhouse-http';

/**
 * The engines the conformance suite runs on: POWERLENS_ENGINES=duckdb,chdb (the default), or
 * duckdb,clickhouse-http (ClickHouse through @clickhouse/client and the loopback endpoint; not
 * with chdb in the same process, which can hold one chDB data directory only).
 */
export const ENGINES: EngineName[] = (process.env.POWERLENS_ENGINES ?? 'duckdb,chdb')
  .split(',')
  .map((e) => e.trim())
  .filter((e): e is EngineName => e === 'duckdb' || e === 'chdb' || e === 'clickhouse-http');

export interface OpenEngine {
  engine: Engine;
  dialect: Dialect;
  /** A fixture table's DDL in this engine's words (test data only). */
  table(
    name: string,
    columns: Record<string, 'String' | 'Int64' | 'Float64' | 'Bool' | 'Date' | 'DateTime'>,
  ): Promise<void>;
  close(): Promise<void>;
}

const CH: Record<string, string> = {
  String: 'String',
  Int64: 'Int64',
  Float64: 'Float64',
  Bool: 'Bool',
  Date: 'Date',
  DateTime: "DateTime64(3, 'UTC')",
};

/** A real engine on a temp directory, migrated. */
export async function openEngine(name: EngineName): Promise<OpenEngine> {
  const dir = mkdtempSync(join(tmpdir(), `powerlens-${name}-`));
  let endpoint: ClickHouseEndpoint | undefined;
  let engine: Engine;
  if (name === 'duckdb') engine = await DuckDbEngine.open({ path: join(dir, 'test.duckdb') });
  else if (name === 'chdb') engine = await ChdbEngine.open({ path: join(dir, 'chdb') });
  else {
    endpoint = await startClickHouseEndpoint({ dataDir: join(dir, 'server') });
    engine = await ClickHouseHttpEngine.open({ url: endpoint.url, database: 'powerlens' });
  }
  await engine.migrate();
  const dialect = engine.dialect;
  return {
    engine,
    dialect,
    async table(table, columns) {
      const types = name === 'duckdb' ? DUCKDB_TYPES : CH;
      const cols = Object.entries(columns)
        .map(([c, t]) => `${c} ${types[t]}`)
        .join(', ');
      await engine.run(
        name === 'duckdb'
          ? `CREATE OR REPLACE TABLE ${table} (${cols})`
          : `CREATE OR REPLACE TABLE ${table} (${cols}) ENGINE = MergeTree ORDER BY tuple()`,
      );
    },
    async close() {
      await engine.close();
      await endpoint?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
