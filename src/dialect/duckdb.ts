import type { Dialect, SqlType } from './dialect.js';

/** DuckDB's name for each parameter type. */
export const DUCKDB_TYPES: Record<SqlType, string> = {
  String: 'VARCHAR',
  Int64: 'BIGINT',
  Float64: 'DOUBLE',
  Bool: 'BOOLEAN',
  Date: 'DATE',
  DateTime: 'TIMESTAMPTZ',
  'Array(String)': 'VARCHAR[]',
  'Array(Date)': 'DATE[]',
  'Nullable(Date)': 'DATE',
};

export const duckdb: Dialect = {
  name: 'duckdb',
  // Cast so a parameter has the same type whatever value is bound.
  param: (name, type) => `CAST($${name} AS ${DUCKDB_TYPES[type]})`,
  ident: (name) => `"${name.replace(/"/g, '""')}"`,
  localDay: (instant, zone) => `CAST(timezone(${zone}, ${instant}) AS DATE)`,
  date: (expr) => `CAST(${expr} AS DATE)`,
  minusDays: (date, days) => `(${date} - CAST(${days} AS INTEGER))`,
  epochSeconds: (instant) => `epoch(${instant})`,
  countDistinct: (expr) => `count(DISTINCT ${expr})`,
  countIf: (cond) => `count(*) FILTER (WHERE ${cond})`,
  sumIf: (expr, cond) => `sum(${expr}) FILTER (WHERE ${cond})`,
  median: (expr) => `median(${expr})`,
  listHas: (list, value) => `list_contains(${list}, ${value})`,
  percentSteps: (step) => `SELECT unnest(range(0, 101, ${step})) AS pct`,
  divide: (a, b) => `(CAST(${a} AS DOUBLE) / ${b})`,
  like: (expr, pattern) => `${expr} LIKE ${pattern} ESCAPE '\\'`,
  regexpMatches: (expr, re) => `regexp_matches(${expr}, ${re})`,
  boolOr: (expr) => `bool_or(${expr})`,
  bool: (expr) => expr,
  plusDays: (date, days) => `(${date} + CAST(${days} AS INTEGER))`,
  bit: (position) => `(CAST(1 AS UBIGINT) << CAST(${position} AS UBIGINT))`,
  bitOrAgg: (expr) => `bit_or(${expr})`,
  noBits: () => 'CAST(0 AS UBIGINT)',
  bitCount: (expr) => `CAST(bit_count(${expr}) AS BIGINT)`,
  intDiv: (a, b) => `(${a} // ${b})`,
  round: (expr, digits) => `round(${expr}, ${digits})`,
  medianOfLists: (list) => `list_median(flatten(list(${list})))`,
  // Most used first, then by name: a sort of each user's short list, not an ordered aggregate.
  sortedNames: (name, key, cond) =>
    `list_transform(list_sort(list({k: ${key}, name: ${name}}) FILTER (WHERE ${cond})), x -> x.name)`,
  listOrEmpty: (list) => `coalesce(${list}, [])`,
  previous: (expr, partitionBy, orderBy) =>
    `lag(${expr}) OVER (PARTITION BY ${partitionBy} ORDER BY ${orderBy})`,
  // Empty, not NULL, when no row qualifies: as ClickHouse's groupArrayIf.
  orderedListIf: (expr, key, cond) =>
    `coalesce(list(${expr} ORDER BY ${key}) FILTER (WHERE ${cond}), [])`,
  unnestDistinct: (list) => `unnest(list_distinct(${list}))`,
  jsonText: (json, path) => `json_extract_string(${json}, ${path})`,
  scratchTable: (name, select) => `CREATE OR REPLACE TEMP TABLE ${name} AS ${select}`,
  insertIgnore: (table) => `INSERT OR IGNORE INTO ${table}`,
  insertReplace: (table) => `INSERT OR REPLACE INTO ${table}`,
  inList: (expr, list) => `${expr} IN (SELECT unnest(${list}))`,
  zipRows: (a, b) => `(SELECT unnest(${a}) AS x, unnest(${b}) AS y)`,
  dateText: (expr) => `strftime(${expr}, '%Y-%m-%d')`,
  instantText: (expr) => `strftime(${expr} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ')`,
  sortedDistinctList: (expr) => `list(DISTINCT ${expr} ORDER BY ${expr})`,
  nullOf: (type) => `CAST(NULL AS ${DUCKDB_TYPES[type]})`,
  sessionSettings: {},
  capabilities: { transactions: true, sharedCtesOnce: true },
};
