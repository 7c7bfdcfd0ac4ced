import type { SqlParams, SqlValue } from '../../dialect/sql-value.js';
import { GROUPS_CONTAINER, NESTED_CONTAINERS } from './field-candidates.js';
import { csvReader, NON_BLANK_LINE, ndjsonLines } from './file-readers.js';
import type { ImportFormat, SourceColumn } from './import-plan-input.js';

/**
 * The reads run-import.ts makes of a file before it is imported, to find its columns and fields
 * (DuckDB's readers, so DuckDB only): what the mapping is detected from.
 */

type Statement = { sql: string; params: SqlParams };

/** Rows of a file sampled for its fields. */
const SAMPLE_ROWS = 2000;

/** Raw NDJSON lines, as the import reads them. */
const NDJSON_LINES = ndjsonLines('$path', false);

/** A CSV or Parquet file's columns: `column_name`, `column_type` (DESCRIBE). */
export function compileDescribeColumns(
  format: ImportFormat,
  path: string,
  delimiter: string | undefined,
): Statement {
  const sql =
    format === 'parquet'
      ? 'DESCRIBE SELECT * FROM read_parquet($path)'
      : `DESCRIBE SELECT * FROM ${csvReader('$path', delimiter ? '$delim' : null, false)}`;
  const params: Record<string, SqlValue> = { path };
  if (delimiter && format === 'csv') params.delim = delimiter;
  return { sql, params };
}

/**
 * Top-level keys (`k`, `parent` NULL) and the keys of the known nested objects (and of
 * Amplitude's groups) in the first lines of an NDJSON file, in order of first appearance (file
 * order, then key order), so the mapping of look-alike names is deterministic.
 */
export function compileSampleJsonFields(path: string): Statement {
  return {
    sql: `WITH sample AS (
       SELECT row_number() OVER () AS n, j FROM (
         SELECT line::JSON AS j FROM ${NDJSON_LINES}
         WHERE line IS NOT NULL AND json_valid(line) AND json_type(line::JSON) = 'OBJECT'
         LIMIT ${SAMPLE_ROWS})),
     keys AS (
       SELECT n, NULL AS parent, json_keys(j) AS ks FROM sample
       UNION ALL
       SELECT n, c.parent, json_keys(j, '$.' || c.parent) AS ks
       FROM sample, (SELECT unnest($containers) AS parent) AS c
       WHERE json_type(j, '$.' || c.parent) = 'OBJECT')
     SELECT k, parent FROM (
       SELECT n, parent, unnest(ks) AS k, generate_subscripts(ks, 1) AS i FROM keys)
     GROUP BY k, parent ORDER BY min(n * 1000000 + i)`,
    params: { path, containers: [...NESTED_CONTAINERS, GROUPS_CONTAINER] },
  };
}

/**
 * The keys (`k`) of the JSON objects in the first rows of one text column (the `index`-th of
 * `columns`) of a CSV or Parquet file, in order of first appearance. Columns are renamed
 * positionally: a name from the file never becomes an identifier.
 */
export function compileSampleColumnKeys(
  format: ImportFormat,
  path: string,
  columns: readonly SourceColumn[],
  index: number,
  delimiter: string | undefined,
): Statement {
  const cols = columns.map((_, k) => `c${k}`).join(', ');
  const params: Record<string, SqlValue> = { path };
  const reader =
    format === 'parquet'
      ? 'read_parquet($path)'
      : csvReader('$path', delimiter ? '$delim' : null, false);
  if (delimiter && format === 'csv') params.delim = delimiter;
  const i = Math.trunc(index);
  return {
    sql: `WITH sample AS (
       SELECT row_number() OVER () AS n, TRY_CAST(c${i} AS JSON) AS j
       FROM (SELECT c${i} FROM ${reader} AS src(${cols}) LIMIT ${SAMPLE_ROWS})),
     keys AS (SELECT n, json_keys(j) AS ks FROM sample WHERE json_type(j) = 'OBJECT')
     SELECT k FROM (SELECT n, unnest(ks) AS k, generate_subscripts(ks, 1) AS x FROM keys)
     GROUP BY k ORDER BY min(n * 1000000 + x)`,
    params,
  };
}

/** A row when an NDJSON file has a line with content (read as DuckDB reads the lines). */
export function compileFirstNonBlankLine(path: string): Statement {
  return {
    sql: `SELECT 1 AS x FROM ${NDJSON_LINES} WHERE ${NON_BLANK_LINE} LIMIT 1`,
    params: { path },
  };
}
