/**
 * The pieces of SQL that differ between engines (docs/architecture.md, principle 2). Compilers write
 * the query logic once and ask the dialect only for these; a dialect is a complete object of this
 * type, so one that forgets a piece does not compile, and dialects.test.ts runs every piece on
 * every engine.
 */
export type SqlType =
  | 'String'
  | 'Int64'
  | 'Float64'
  | 'Bool'
  | 'Date'
  | 'Nullable(Date)'
  | 'DateTime'
  | 'Array(String)'
  | 'Array(Date)';

export interface Dialect {
  readonly name: 'duckdb' | 'clickhouse';
  /** A bound parameter: `$name` (DuckDB) or `{name:Type}` (ClickHouse, which needs the type). */
  param(name: string, type: SqlType): string;
  /** An identifier, quoted. */
  ident(name: string): string;
  /** The calendar day, in the zone a String parameter names, of a UTC instant. */
  localDay(instant: string, zone: string): string;
  /** A date parameter's value as a Date. */
  date(expr: string): string;
  /** Days before a date. */
  minusDays(date: string, days: string): string;
  /** Seconds since the epoch, as a floating-point number. */
  epochSeconds(instant: string): string;
  /** count(DISTINCT expr), exact. */
  countDistinct(expr: string): string;
  /** Rows where a condition holds. */
  countIf(cond: string): string;
  /** Sum of expr over the rows where a condition holds. */
  sumIf(expr: string, cond: string): string;
  /** The exact median (interpolated between the middle two values, as both engines' median). */
  median(expr: string): string;
  /** Whether a list (an array parameter or expression) holds a value. */
  listHas(list: string, value: string): string;
  /** 0, 5, 10, ... 100 as rows of one column named `pct`. */
  percentSteps(step: number): string;
  /** Division that is floating point whatever the operand types. */
  divide(a: string, b: string): string;
  /** SQL LIKE with backslash as the escape character (globToLike writes such patterns). */
  like(expr: string, pattern: string): string;
  /** Whether a regular expression (RE2 syntax on both engines) matches somewhere in the text. */
  regexpMatches(expr: string, re: string): string;
  /**
   * A truth value as a result column: ClickHouse's comparisons and logic answer UInt8 (0 / 1),
   * which must come out as the same true / false DuckDB gives.
   */
  bool(expr: string): string;
  /** Days after a date. */
  plusDays(date: string, days: string): string;
  /** 2^position as an unsigned 64-bit integer (position 0..63). */
  bit(position: string): string;
  /** An unsigned 64-bit zero, to OR bits into. */
  noBits(): string;
  /** The bitwise OR of a 64-bit value over the rows. */
  bitOrAgg(expr: string): string;
  /** How many bits of a 64-bit value are set. */
  bitCount(expr: string): string;
  /** Integer division, rounding toward zero. */
  intDiv(a: string, b: string): string;
  /** Rounded half away from zero, as DuckDB does (ClickHouse rounds floats half to even). */
  round(expr: string, digits: number): string;
  /** The median of every element of a list column over the rows (NULL when there is none). */
  medianOfLists(list: string): string;
  /**
   * The names of the rows where a condition holds, as a list sorted by a numeric key then by
   * name (empty when there is none).
   */
  sortedNames(name: string, key: string, cond: string): string;
  /** A list that may be NULL from an outer join, as an empty list then. */
  listOrEmpty(list: string): string;
  /** A date as YYYY-MM-DD text (NULL stays NULL). */
  dateText(expr: string): string;
  /** An instant as ISO-8601 text in UTC to the second (YYYY-MM-DDTHH:MM:SSZ). */
  instantText(expr: string): string;
  /** The distinct values over the rows, as a sorted list. */
  sortedDistinctList(expr: string): string;
  /** The previous row's value in a window (NULL on the first row, as SQL's lag). */
  previous(expr: string, partitionBy: string, orderBy: string): string;
  /** The values of the rows where a condition holds, as a list in the order of a key ([] if none). */
  orderedListIf(expr: string, key: string, cond: string): string;
  /** One row per distinct non-NULL element of a list (in a SELECT list). */
  unnestDistinct(list: string): string;
  /** A JSON value at a JSONPath as text (numbers and booleans as written); NULL or '' if absent. */
  jsonText(json: string, path: string): string;
  /**
   * A table of a query's rows for the statements that follow, seen by this connection only (so
   * two processes on one database cannot meet in it), dropped by the caller or with the session.
   */
  scratchTable(name: string, select: string): string;
  /** INSERT that skips rows whose key is there already (ClickHouse: a ReplacingMergeTree). */
  insertIgnore(table: string): string;
  /** INSERT that replaces the row of the same key (ClickHouse: the newest version is read). */
  insertReplace(table: string): string;
  /** Whether a value is in a list parameter. */
  inList(expr: string, list: string): string;
  /** Rows (x, y) from two lists of the same length, pairwise. */
  zipRows(a: string, b: string): string;
  /** A typed NULL. */
  nullOf(type: SqlType): string;
  /** Whether any row's condition holds (NULL when there is no row, as bool_or). */
  boolOr(expr: string): string;
  /**
   * Settings every session of the engine runs with, so that the SQL above means the same:
   * ClickHouse fills the unmatched side of an outer join with NULL only when asked, aggregates
   * over no rows give NULL only when asked, and it wants to be told what a bare UNION means.
   */
  readonly sessionSettings: Readonly<Record<string, string | number>>;
  readonly capabilities: {
    /** Multi-statement transactions (DuckDB); ClickHouse writes are atomic per insert only. */
    transactions: boolean;
    /**
     * A CTE read in several places is worked out once (DuckDB). ClickHouse works it out again
     * at every reference, so shared CTEs are staged into scratch tables first (stage-ctes.ts).
     */
    sharedCtesOnce: boolean;
  };
}

/** Every piece a dialect supplies, for the test that runs each on each engine. */
export const DIALECT_PIECES = [
  'param',
  'ident',
  'localDay',
  'date',
  'minusDays',
  'epochSeconds',
  'countDistinct',
  'countIf',
  'sumIf',
  'median',
  'listHas',
  'percentSteps',
  'divide',
  'like',
  'regexpMatches',
  'boolOr',
  'nullOf',
  'bool',
  'plusDays',
  'bit',
  'bitOrAgg',
  'noBits',
  'bitCount',
  'intDiv',
  'round',
  'medianOfLists',
  'sortedNames',
  'listOrEmpty',
  'dateText',
  'instantText',
  'sortedDistinctList',
  'previous',
  'orderedListIf',
  'unnestDistinct',
  'jsonText',
  'scratchTable',
  'insertIgnore',
  'insertReplace',
  'inList',
  'zipRows',
] as const satisfies readonly (keyof Dialect)[];
