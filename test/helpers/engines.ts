import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChdbEngine } from '../../src/engines/clickhouse/chdb-engine.js';
import { DuckDbEngine } from '../../src/engines/duckdb/duckdb-engine.js';
import type { Engine } from '../../src/engines/engine.js';
import { DIALECTS, type Dialect } from '../../src/sql/dialects/index.js';

export type EngineName = 'duckdb' | 'chdb';

/** The engines the conformance suite runs on: POWERLENS_ENGINES=duckdb,chdb (the default). */
export const ENGINES: EngineName[] = (process.env.POWERLENS_ENGINES ?? 'duckdb,chdb')
  .split(',')
  .map((e) => e.trim())
  .filter((e): e is EngineName => e === 'duckdb' || e === 'chdb');

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

const DUCK: Record<string, string> = {
  String: 'VARCHAR',
  Int64: 'BIGINT',
  Float64: 'DOUBLE',
  Bool: 'BOOLEAN',
  Date: 'DATE',
  DateTime: 'TIMESTAMPTZ',
};
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
  const engine: Engine =
    name === 'duckdb'
      ? await DuckDbEngine.open({ path: join(dir, 'test.duckdb') })
      : await ChdbEngine.open({ path: join(dir, 'chdb') });
  await engine.migrate();
  const dialect = DIALECTS[engine.dialect];
  return {
    engine,
    dialect,
    async table(table, columns) {
      const types = name === 'duckdb' ? DUCK : CH;
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
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
