/**
 * DuckDB's reader calls for import files, shared by the passes of an import and by column
 * detection, so every read of a file parses it the same way. `path` is a placeholder ($path).
 */

/** Room for the 10 MB lines real exports contain; DuckDB's default is 2 MB. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** An NDJSON line with content: blank and whitespace-only lines are skipped, not rejected. */
export const NON_BLANK_LINE = "line IS NOT NULL AND ltrim(line, ' ' || chr(9) || chr(13)) <> ''";

/**
 * The pass that appends rows keeps the lines DuckDB cannot read (they become rejected rows); the
 * other passes skip the same lines, so row ordinals agree across passes.
 */
export function unreadableLines(keep: boolean): string {
  return keep
    ? "store_rejects = true, rejects_table = 'import_reject_errors', rejects_scan = 'import_reject_scans'"
    : 'ignore_errors = true';
}

/** Every column as text, with the header; `delim` is a placeholder too, when given. */
export function csvReader(path: string, delim: string | null, keepUnreadable: boolean): string {
  const delimiter = delim ? `, delim = ${delim}` : '';
  return `read_csv(${path}, header = true, all_varchar = true, max_line_size = ${MAX_LINE_BYTES}${delimiter}, ${unreadableLines(keepUnreadable)})`;
}

/**
 * NDJSON as raw lines (one VARCHAR column `line`), so a malformed line is kept with its number
 * instead of failing the file. The delimiter is a byte JSON text cannot contain unescaped.
 */
export function ndjsonLines(path: string, keepUnreadable: boolean): string {
  return `read_csv(${path}, columns = {'line': 'VARCHAR'}, header = false, delim = '\x01',
    quote = '', escape = '', auto_detect = false, strict_mode = false,
    max_line_size = ${MAX_LINE_BYTES}, ${unreadableLines(keepUnreadable)})`;
}
