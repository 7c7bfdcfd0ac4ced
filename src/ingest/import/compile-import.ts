import type { SqlParams } from '../../dialect/sql-value.js';
import { alias, columnarFields, ndjsonFields } from './field-exprs.js';
import { csvReader, NON_BLANK_LINE, ndjsonLines } from './file-readers.js';
import type { ImportPlanInput } from './import-plan-input.js';
import { ParamBag } from './param-bag.js';

export interface Statement {
  sql: string;
  params: SqlParams;
}

export interface ImportPlan {
  /** Rows the append pass reads (NDJSON: lines with content), for its progress: `n`. */
  countSource: Statement;
  /**
   * Appends every valid row; numberCopies, deleteKnown and deleteCopies then settle the ids and
   * remove the duplicates.
   */
  insertEvents: Statement;
  /**
   * CSV and Parquet: rows in the file (`n`), rows with a message id (`with_id`) and distinct ids
   * (`distinct_ids`). When the insert stored every row nothing needs checking, and when every
   * row has its own id there can be no copies to remove.
   */
  countRows: Statement | null;
  /** Rows per reason (NULL = valid): the summary's counts, without line numbers. */
  countByReason: Statement;
  /** Keeps rejected rows with their line, reason and raw content; run only when there are any. */
  insertFailures: Statement;
  /** CSV and NDJSON: lines DuckDB's reader rejected (column count, quoting, encoding). */
  insertParseFailures: Statement | null;
  /** Events the project held before this import: when none, nothing can be known already. */
  storedBefore: Statement;
  /** Deletes this import's rows whose message id the project had already stored. */
  deleteKnown: Statement;
  /** The ids this import stored more than once (copies within the file): `ids`. */
  findCopies: Statement;
  /**
   * Gives the 2nd, 3rd, ... of identical rows without a message id their occurrence number
   * (`h_<md5>_2`, ...), so they are kept as events of their own; run before deleteKnown.
   */
  numberCopies: Statement;
  /** Deletes all but the first stored copy of each message id the file gave more than once. */
  deleteCopies: Statement;
  /** The local days that received this import's events. */
  touchedDays: Statement;
  /** Rejected rows per reason with example lines, read back from failed_events. */
  rejectedSummary: Statement;
}

const RAW_CAP = 65_536;

function sourceSql(
  input: ImportPlanInput,
  p: ParamBag,
  keepUnreadable: boolean,
  withLines: boolean,
): string {
  const path = p.add(input.path);
  const cols = input.columns.map((_, i) => alias(i)).join(', ');
  if (input.format === 'parquet') return `read_parquet(${path}) AS src(${cols})`;
  if (input.format === 'csv') {
    const delim = input.csvDelimiter ? p.add(input.csvDelimiter) : null;
    return `${csvReader(path, delim, keepUnreadable)} AS src(${cols})`;
  }
  // Numbering rows serialises the scan, so only the pass that keeps rejected rows does it.
  return `(SELECT ${withLines ? 'row_number() OVER ()' : 'NULL'} AS _line, line,
      CASE WHEN json_valid(line) AND json_type(line::JSON) = 'OBJECT' THEN line::JSON END AS j
    FROM ${ndjsonLines(path, keepUnreadable)}) AS src`;
}

/** The checked rows: normalised fields plus `_reason`, NULL when the row is valid. */
function checkedSql(
  input: ImportPlanInput,
  p: ParamBag,
  keepUnreadable: boolean,
  withLines: boolean,
): string {
  const f = input.format === 'ndjson' ? ndjsonFields(input, p) : columnarFields(input, p);
  const minTs = p.add(input.minTimestamp);
  const maxTs = p.add(input.maxTimestamp);
  const skipBlank = input.format === 'ndjson' ? `WHERE ${NON_BLANK_LINE}` : '';
  const badJson = input.format === 'ndjson' ? 'j IS NULL' : 'false';
  return `(SELECT *,
      CASE WHEN bad_json THEN 'malformed JSON (not an object on one line)'
        WHEN record_type IS NOT NULL AND record_type NOT IN ('track', 'page', 'screen')
          THEN 'segment ' || record_type || ' call: not an event (identify, group and alias records are read by the HTTP collector)'
        WHEN user_id IS NULL AND anonymous_id IS NULL THEN 'missing user id'
        WHEN event IS NULL THEN 'missing event name'
        WHEN ts IS NULL AND time_present THEN 'unparseable timestamp'
        WHEN ts IS NULL THEN 'missing timestamp'
        WHEN ts < CAST(${minTs} AS TIMESTAMPTZ) OR ts > CAST(${maxTs} AS TIMESTAMPTZ)
          THEN 'timestamp out of range'
      END AS _reason
    FROM (SELECT ${withLines ? f.line : 'NULL'} AS _line,
        ${f.user} AS user_id, ${f.anonymous} AS anonymous_id, ${f.event} AS event,
        ${f.account} AS account_id, ${f.id} AS given_id, ${f.time} AS ts,
        ${f.timeGiven} AS time_present, ${badJson} AS bad_json,
        ${f.recordType ?? 'CAST(NULL AS VARCHAR)'} AS record_type,
        ${f.properties} AS properties, ${f.raw} AS raw
      FROM ${sourceSql(input, p, keepUnreadable, withLines)} ${skipBlank}))`;
}

export function compileImport(input: ImportPlanInput): ImportPlan {
  // One bag for every statement: the engine binds only the parameters a statement names.
  const p = new ParamBag();
  const project = p.add(input.projectId);
  const source = p.add(input.source);
  const receivedAt = p.add(input.receivedAt);
  const batch = p.add(input.batchId);
  const tz = p.add(input.timeZone);
  // Without a message id, an event is named by its content, so re-importing a file adds nothing;
  // identical rows within a file are told apart afterwards by numberCopies. A JSON array keeps
  // positions and NULLs apart: (user u1, no anonymous id) and (no user, anonymous u1) differ.
  const messageId = `coalesce(given_id, 'h_' || md5(CAST(to_json([user_id, anonymous_id, event,
      account_id, CAST(epoch_us(ts) AS VARCHAR), CAST(properties AS VARCHAR)]) AS VARCHAR)))`;
  // Every valid row is appended, then the rows this import should not have added are deleted:
  // ids stored before (deleteKnown) and second copies of a given id (deleteCopies). Both are
  // rare or cheap, and an append without a join keeps DuckDB's progress reporting alive, which a
  // join against the stored ids would switch off for the whole statement.
  const insertEvents = `INSERT INTO events (project_id, message_id, timestamp, user_id, anonymous_id,
      account_id, event, properties, received_at, source, batch_id)
    SELECT ${project}, ${messageId}, ts, user_id, anonymous_id, account_id, event, properties,
      CAST(${receivedAt} AS TIMESTAMPTZ), ${source}, ${batch}
    FROM ${checkedSql(input, p, true, false)} WHERE _reason IS NULL`;

  const countRows =
    input.format === 'ndjson'
      ? null
      : `SELECT count(*) AS n, count(id) AS with_id, count(DISTINCT id) AS distinct_ids
        FROM (SELECT ${columnarFields(input, p).id} AS id FROM ${sourceSql(input, p, false, false)})`;
  const countSource =
    input.format === 'ndjson'
      ? `SELECT count(*) AS n FROM ${ndjsonLines(p.add(input.path), false)} WHERE ${NON_BLANK_LINE}`
      : `SELECT count(*) AS n FROM ${sourceSql(input, p, false, false)}`;
  const countByReason = `SELECT _reason AS reason, count(*) AS rows
    FROM ${checkedSql(input, p, false, false)} GROUP BY ALL`;

  // CSV ordinals count the rows DuckDB parsed; the file line is further on by the rows it
  // rejected before (read after the insert pass has filled the reject table).
  // Ordinals count the rows DuckDB read; the file line is further on by the lines it could not
  // read before (known once the append pass has filled the reject table, one row per error).
  // For reject i (1-based, by line L), the readable rows before it number L - header - i.
  const header = input.format === 'csv' ? 1 : 0;
  const fileLine = (ordinal: string): string =>
    input.format === 'parquet'
      ? ordinal
      : `${ordinal} + (SELECT count(*) FROM (
            SELECT line - ${header} - row_number() OVER (ORDER BY line) AS k
            FROM (SELECT DISTINCT line FROM import_reject_errors)) AS rj
          WHERE rj.k < ${ordinal} - ${header})`;
  const insertFailures = `INSERT INTO failed_events (project_id, source, source_line, reason, raw)
    SELECT ${project}, ${source}, ${fileLine('_line')}, _reason, left(raw, ${RAW_CAP})
    FROM ${checkedSql(input, p, false, true)} WHERE _reason IS NOT NULL`;
  // One rejected row per unreadable line, whatever number of errors DuckDB found on it.
  const unreadable = input.format === 'csv' ? 'CSV parse error: ' : 'unreadable line: ';
  const insertParseFailures =
    input.format === 'parquet'
      ? null
      : `INSERT INTO failed_events (project_id, source, source_line, reason, raw)
    SELECT ${project}, ${source}, line,
      ${p.add(unreadable)} || string_agg(DISTINCT lower(error_type), ', ' ORDER BY lower(error_type)),
      left(any_value(csv_line), ${RAW_CAP})
    FROM import_reject_errors GROUP BY line`;

  const thisImport = `project_id = ${project} AND batch_id = ${batch}`;
  const storedBefore = `SELECT count(*) AS n FROM events WHERE project_id = ${project}`;
  const deleteKnown = `DELETE FROM events WHERE ${thisImport} AND message_id IN (
    SELECT message_id FROM events WHERE project_id = ${project} AND batch_id <> ${batch})`;
  const copiedIds = `SELECT message_id FROM events
    WHERE ${thisImport} GROUP BY message_id HAVING count(*) > 1`;
  const findCopies = `SELECT count(*) AS ids FROM (${copiedIds})`;
  // Identical rows are separate events (two votes on one day, two clicks in one second): the
  // k-th of them is h_<md5>_k, and the first keeps the bare hash, as imports have always named
  // it. A later file holding the same rows again then adds only the copies beyond those stored.
  // Which of identical rows gets which number does not matter, they are the same content.
  const numberCopies = `UPDATE events SET message_id = events.message_id || '_' || c.n
    FROM (SELECT rowid AS r, row_number() OVER (PARTITION BY message_id ORDER BY rowid) AS n
      FROM events WHERE ${thisImport} AND regexp_full_match(message_id, 'h_[0-9a-f]{32}')
        AND message_id IN (${copiedIds})) AS c
    WHERE events.rowid = c.r AND c.n > 1`;
  // Insertion order is file order (DuckDB preserves it), so the lowest rowid is the first copy.
  const deleteCopies = `DELETE FROM events WHERE rowid IN (
    SELECT rowid FROM (SELECT rowid, row_number() OVER (PARTITION BY message_id ORDER BY rowid) AS n
      FROM events WHERE ${thisImport}) WHERE n > 1)`;
  // Quarter-hour buckets first (every zone offset is a multiple of 15 minutes), so the time zone
  // conversion runs on a few thousand values, not on every event.
  const touchedDays = `SELECT DISTINCT strftime(CAST(timezone(${tz}, make_timestamptz(b * 900000000)) AS DATE), '%Y-%m-%d') AS day
    FROM (SELECT DISTINCT epoch_us(timestamp) // 900000000 AS b FROM events WHERE ${thisImport})
    ORDER BY day`;
  const rejectedSummary = `SELECT reason, count(*) AS rows,
      list(source_line ORDER BY source_line)[1:3] AS example_lines
    FROM failed_events WHERE project_id = ${project} AND source = ${source}
    GROUP BY reason ORDER BY rows DESC, reason`;

  const stmt = (sql: string): Statement => ({ sql, params: p.values });
  return {
    countSource: stmt(countSource),
    insertEvents: stmt(insertEvents),
    countRows: countRows ? stmt(countRows) : null,
    countByReason: stmt(countByReason),
    insertFailures: stmt(insertFailures),
    insertParseFailures: insertParseFailures ? stmt(insertParseFailures) : null,
    storedBefore: stmt(storedBefore),
    deleteKnown: stmt(deleteKnown),
    findCopies: stmt(findCopies),
    numberCopies: stmt(numberCopies),
    deleteCopies: stmt(deleteCopies),
    touchedDays: stmt(touchedDays),
    rejectedSummary: stmt(rejectedSummary),
  };
}

/**
 * Drops the reject tables DuckDB's CSV reader filled in an earlier import of this session, so the
 * append pass starts them afresh.
 */
export function compileDropRejectTables(): Statement[] {
  return [
    { sql: 'DROP TABLE IF EXISTS temp.import_reject_errors', params: {} },
    { sql: 'DROP TABLE IF EXISTS temp.import_reject_scans', params: {} },
  ];
}

/** Marks the local days (YYYY-MM-DD) that received an import's events dirty for the rollup. */
export function compileMarkImportDays(projectId: string, days: readonly string[]): Statement {
  return {
    sql: `INSERT OR IGNORE INTO rollup_dirty_days (project_id, day)
         SELECT $p, CAST(unnest($days) AS DATE)`,
    params: { p: projectId, days },
  };
}

/** Every row of a CSV file as DuckDB's reader detects it (the demo's CSV, copied to Parquet). */
export function compileReadCsvFile(path: string): Statement {
  return { sql: 'SELECT * FROM read_csv($csv)', params: { csv: path } };
}
