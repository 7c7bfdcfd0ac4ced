import type { Dialect } from './dialect.js';

export const clickhouse: Dialect = {
  name: 'clickhouse',
  // Instants arrive as ISO-8601 text (as everywhere in powerlens), which a DateTime parameter
  // does not parse: they are read best-effort into milliseconds in UTC.
  param: (name, type) =>
    type === 'DateTime'
      ? `parseDateTime64BestEffort({${name}:String}, 3, 'UTC')`
      : `{${name}:${type}}`,
  ident: (name) => `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``,
  localDay: (instant, zone) => `toDate(${instant}, ${zone})`,
  date: (expr) => `toDate(${expr})`,
  minusDays: (date, days) => `subtractDays(${date}, ${days})`,
  epochSeconds: (instant) =>
    `toFloat64(toUnixTimestamp64Milli(toDateTime64(${instant}, 3))) / 1000`,
  // uniqExact: count(DISTINCT) is mapped to the approximate uniq by default settings.
  countDistinct: (expr) => `uniqExact(${expr})`,
  countIf: (cond) => `countIf(${cond})`,
  sumIf: (expr, cond) => `sumIf(${expr}, ${cond})`,
  // quantileExactInclusive interpolates like DuckDB's median; plain median() is approximate.
  median: (expr) => `quantileExactInclusive(0.5)(${expr})`,
  // has() answers UInt8; a Bool reads (and prints) as the same true / false DuckDB gives.
  listHas: (list, value) => `toBool(has(${list}, ${value}))`,
  percentSteps: (step) =>
    `SELECT toInt64(number * ${step}) AS pct FROM numbers(${Math.floor(100 / step) + 1})`,
  divide: (a, b) => `(toFloat64(${a}) / ${b})`,
  // Backslash is ClickHouse's LIKE escape already; LIKE and match() answer UInt8, read as Bool.
  like: (expr, pattern) => `toBool(${expr} LIKE ${pattern})`,
  regexpMatches: (expr, re) => `toBool(match(${expr}, ${re}))`,
  // NULL over no rows (or only NULLs), like bool_or; max of Bool is a Bool.
  boolOr: (expr) => `if(count(${expr}) = 0, NULL, toBool(max(${expr})))`,
  bool: (expr) => `toBool(${expr})`,
  plusDays: (date, days) => `addDays(${date}, ${days})`,
  bit: (position) => `bitShiftLeft(toUInt64(1), toUInt64(${position}))`,
  bitOrAgg: (expr) => `groupBitOr(${expr})`,
  noBits: () => 'toUInt64(0)',
  bitCount: (expr) => `toInt64(bitCount(${expr}))`,
  intDiv: (a, b) => `intDiv(${a}, ${b})`,
  // Through a decimal, which rounds half away from zero like DuckDB; float round() is half-even.
  round: (expr, digits) => `toFloat64(round(toDecimal128(${expr}, 12), ${digits}))`,
  medianOfLists: (list) =>
    `arrayReduce('quantileExactInclusive(0.5)', arrayFlatten(groupArray(${list})))`,
  sortedNames: (name, key, cond) =>
    `arrayMap(x -> x.2, arraySort(groupArrayIf((${key}, ${name}), ${cond})))`,
  // Arrays are never NULL in ClickHouse: an outer join fills them with [] already.
  listOrEmpty: (list) => list,
  // lag() fills the first row with a default (0), not NULL: the frame function on a Nullable does.
  previous: (expr, partitionBy, orderBy) =>
    `lagInFrame(toNullable(${expr})) OVER (PARTITION BY ${partitionBy} ORDER BY ${orderBy} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`,
  orderedListIf: (expr, key, cond) =>
    `arrayMap(p -> p.2, arraySort(p -> p.1, groupArrayIf((${key}, ${expr}), ${cond})))`,
  unnestDistinct: (list) => `arrayJoin(arrayDistinct(${list}))`,
  jsonText: (json, path) => `JSON_VALUE(${json}, ${path})`,
  // A session's own table, as DuckDB's TEMP: two processes on one database never meet in it
  // (the HTTP engine holds a session; chDB is one).
  scratchTable: (name, select) =>
    `CREATE OR REPLACE TEMPORARY TABLE ${name} ENGINE = Memory AS ${select}`,
  // Keys are kept by ReplacingMergeTree (src/engines/clickhouse/schema.ts): readers see one row.
  insertIgnore: (table) => `INSERT INTO ${table}`,
  insertReplace: (table) => `INSERT INTO ${table}`,
  inList: (expr, list) => `has(${list}, ${expr})`,
  zipRows: (a, b) =>
    `(SELECT t.1 AS x, t.2 AS y FROM (SELECT arrayJoin(arrayZip(${a}, ${b})) AS t))`,
  dateText: (expr) => `toString(${expr})`,
  instantText: (expr) => `formatDateTime(${expr}, '%Y-%m-%dT%H:%i:%SZ', 'UTC')`,
  sortedDistinctList: (expr) => `arraySort(groupUniqArray(${expr}))`,
  // Only Nullable types hold NULL.
  nullOf: (type) => `CAST(NULL AS ${type.startsWith('Nullable') ? type : `Nullable(${type})`})`,
  sessionSettings: {
    join_use_nulls: 1,
    union_default_mode: 'DISTINCT',
    // min, max, sum ... over no rows are NULL, as in SQL (not the type's default, 0 or 1970-01-01).
    aggregate_functions_null_for_empty: 1,
  },
  capabilities: { transactions: false, sharedCtesOnce: false },
};
