import { clickhouse } from './clickhouse.js';
import type { Dialect } from './dialect.js';
import { duckdb } from './duckdb.js';

export type { Dialect, SqlType } from './dialect.js';
export { clickhouse, duckdb };

export const DIALECTS: Record<Dialect['name'], Dialect> = { duckdb, clickhouse };
