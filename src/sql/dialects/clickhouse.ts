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
  capabilities: { transactions: false },
};
