import type { SqlParams, SqlValue } from '../../engines/engine.js';
import type { FieldMapping, FieldPath } from './detect-mapping.js';

export type ImportFormat = 'csv' | 'ndjson' | 'parquet';

export interface SourceColumn {
  name: string;
  /** DuckDB type name as DESCRIBE reports it. */
  type: string;
}

export interface ImportPlanInput {
  format: ImportFormat;
  path: string;
  /** Columns in file order (CSV, Parquet); empty for NDJSON. */
  columns: readonly SourceColumn[];
  mapping: FieldMapping;
  projectId: string;
  source: string;
  receivedAt: string;
  /** Unique per import: the rows this import stored carry it. */
  batchId: string;
  timeZone: string;
  minTimestamp: string;
  maxTimestamp: string;
  csvDelimiter?: string | undefined;
  /** Segment exports: the field naming each record's call; only track, page and screen are events. */
  recordType?: FieldPath | undefined;
}

export interface Statement {
  sql: string;
  params: SqlParams;
}

export interface ImportPlan {
  /** Appends every valid row; deleteKnown and deleteCopies then remove the duplicates. */
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
  /** The ids this import stored more than once (copies within the file). */
  /** Events the project held before this import: when none, nothing can be known already. */
  storedBefore: Statement;
  /** Deletes this import's rows whose message id the project had already stored. */
  deleteKnown: Statement;
  findCopies: Statement;
  /** Deletes all but the first stored copy of each id that findCopies found. */
  deleteCopies: Statement;
  /** The local days that received this import's events. */
  touchedDays: Statement;
  /** Rejected rows per reason with example lines, read back from failed_events. */
  rejectedSummary: Statement;
}

/** Room for the 10 MB lines real exports contain; DuckDB's default is 2 MB. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;
const RAW_CAP = 65_536;

const alias = (i: number): string => `c${i}`;

/**
 * Exports keep event properties in a nested object; it is lifted to the top of `properties` and
 * merged with the remaining top-level fields, minus the fields mapped to event columns.
 */
const LIFTED_CONTAINERS: readonly string[] = ['properties', 'event_properties'];

/** The mapped fields nested one level in each container, as a merge patch that deletes them. */
function nestedDrops(mapping: FieldMapping): Record<string, Record<string, null>> {
  const drops: Record<string, Record<string, null>> = {};
  for (const path of Object.values(mapping)) {
    const [head, second] = path ?? [];
    if (path?.length !== 2 || head === undefined || second === undefined) continue;
    drops[head] ??= {};
    (drops[head] as Record<string, null>)[second] = null;
  }
  return drops;
}

/**
 * A zone-less TIMESTAMP read as UTC. Through epoch microseconds rather than timezone('UTC', x):
 * same instant, independent of the session zone, and about five times cheaper per row.
 */
function utcSql(x: string): string {
  return `make_timestamptz(epoch_us(${x}))`;
}

function epochSql(x: string): string {
  // Magnitude tells the unit: seconds until the year 5138, then milliseconds, then microseconds.
  return `CASE WHEN abs(${x}) < 1e11 THEN to_timestamp(${x})
    WHEN abs(${x}) < 1e14 THEN to_timestamp(${x} / 1e3)
    WHEN abs(${x}) < 1e17 THEN to_timestamp(${x} / 1e6) END`;
}

/**
 * Text is a date-time or else epoch seconds/ms/µs. A date-time that ends in Z or a numeric offset
 * keeps it; one without is UTC and goes through the plain TIMESTAMP cast. That path matters: in
 * DuckDB 1.5 the ICU cast to TIMESTAMPTZ can carry the zone named on one row ("... Europe/Berlin")
 * over to the zone-less rows after it, so only rows that need ICU (named zones) reach it.
 */
function textTimeSql(s: string): string {
  const offsetAt = (n: number) => `substr(${s}, -${n}, 1) IN ('+', '-')`;
  const hasOffset = `(contains(${s}, ':') AND (suffix(${s}, 'Z') OR ${offsetAt(6)} OR ${offsetAt(5)} OR ${offsetAt(3)}))`;
  return `CASE WHEN ${hasOffset} THEN try_cast(${s} AS TIMESTAMPTZ)
    ELSE coalesce(${utcSql(`try_cast(${s} AS TIMESTAMP)`)}, try_cast(${s} AS TIMESTAMPTZ),
      CASE WHEN try_cast(${s} AS DOUBLE) IS NOT NULL THEN ${epochSql(`try_cast(${s} AS DOUBLE)`)} END) END`;
}

function timeSqlForType(ref: string, type: string): string {
  const t = type.toUpperCase();
  if (t === 'TIMESTAMP WITH TIME ZONE') return ref;
  // Zone-less instants and dates are UTC, independent of the session's TimeZone.
  if (t.startsWith('TIMESTAMP') || t === 'DATE') return utcSql(`CAST(${ref} AS TIMESTAMP)`);
  if (
    /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/.test(
      t,
    )
  ) {
    return epochSql(`CAST(${ref} AS DOUBLE)`);
  }
  return textTimeSql(`CAST(${ref} AS VARCHAR)`);
}

class ParamBag {
  readonly values: Record<string, SqlValue> = {};
  private n = 0;
  add(value: SqlValue): string {
    const name = `v${this.n++}`;
    this.values[name] = value;
    return `$${name}`;
  }
}

interface FieldExprs {
  user: string;
  /** The record's call type (Segment), NULL when the format has none. */
  recordType?: string;
  anonymous: string;
  time: string;
  /** True when the row has a non-blank time value, parseable or not. */
  timeGiven: string;
  event: string;
  account: string;
  id: string;
  properties: string;
  raw: string;
  line: string;
}

function columnarFields(input: ImportPlanInput, p: ParamBag): FieldExprs {
  const index = new Map(input.columns.map((c, i) => [c.name, i]));
  const mapped = new Set<number>();
  const ref = (path: FieldPath | undefined): { sql: string; type: string } | null => {
    if (!path || path.length === 0) return null;
    const i = index.get(path[0] ?? '');
    if (i === undefined) return null;
    mapped.add(i);
    const col = input.columns[i];
    if (path.length === 1) return { sql: alias(i), type: col?.type ?? 'VARCHAR' };
    // A nested field of a STRUCT or JSON column, read by JSON path.
    const jsonPath = p.add(
      `$.${path
        .slice(1)
        .map((k) => `"${k.replace(/"/g, '\\"')}"`)
        .join('.')}`,
    );
    return { sql: `json_extract_string(to_json(${alias(i)}), ${jsonPath})`, type: 'VARCHAR' };
  };
  const text = (r: { sql: string } | null): string =>
    r ? `nullif(trim(CAST(${r.sql} AS VARCHAR)), '')` : 'CAST(NULL AS VARCHAR)';
  const user = text(ref(input.mapping.user));
  const anonymous = text(ref(input.mapping.anonymous));
  const event = text(ref(input.mapping.event));
  const account = text(ref(input.mapping.account));
  const id = text(ref(input.mapping.id));
  const t = ref(input.mapping.time);
  const time = t ? timeSqlForType(t.sql, t.type) : 'CAST(NULL AS TIMESTAMPTZ)';
  const timeGiven = `${text(t)} IS NOT NULL`;
  // Nested mapping paths keep their column in properties: the rest of it is still data.
  for (const path of Object.values(input.mapping)) {
    if (path && path.length > 1) mapped.delete(index.get(path[0] ?? '') ?? -1);
  }
  const propArgs: string[] = [];
  const rawArgs: string[] = [];
  const lifted: number[] = [];
  input.columns.forEach((c, i) => {
    const key = p.add(c.name);
    rawArgs.push(key, alias(i));
    // A STRUCT container (Mixpanel's properties in Parquet) is lifted as NDJSON's object is.
    if (LIFTED_CONTAINERS.includes(c.name) && /^STRUCT\(/i.test(c.type)) lifted.push(i);
    else if (!mapped.has(i)) propArgs.push(key, alias(i));
  });
  let properties = propArgs.length
    ? `json_object(${propArgs.join(', ')})`
    : lifted.length
      ? `'{}'::JSON`
      : 'CAST(NULL AS JSON)';
  const drops = nestedDrops(input.mapping);
  for (const i of lifted) {
    const drop = p.add(JSON.stringify(drops[input.columns[i]?.name ?? ''] ?? {}));
    properties = `json_merge_patch(${properties},
      coalesce(json_merge_patch(to_json(${alias(i)}), ${drop}), '{}'::JSON))`;
  }
  return {
    user,
    anonymous,
    event,
    account,
    id,
    time,
    timeGiven,
    properties,
    raw: `CAST(json_object(${rawArgs.join(', ')}) AS VARCHAR)`,
    line: input.format === 'csv' ? 'row_number() OVER () + 1' : 'row_number() OVER ()',
  };
}

function jsonPathParam(p: ParamBag, path: FieldPath): string {
  return p.add(`$.${path.map((k) => `"${k.replace(/"/g, '\\"')}"`).join('.')}`);
}

function ndjsonFields(input: ImportPlanInput, p: ParamBag): FieldExprs {
  const get = (path: FieldPath | undefined): string =>
    path
      ? `nullif(trim(json_extract_string(j, ${jsonPathParam(p, path)})), '')`
      : 'CAST(NULL AS VARCHAR)';
  const dropTop: Record<string, null> = {};
  for (const path of Object.values(input.mapping)) {
    const head = path?.[0];
    if (path?.length === 1 && head !== undefined) dropTop[head] = null;
  }
  const dropNested = nestedDrops(input.mapping);
  for (const c of LIFTED_CONTAINERS) dropTop[c] = null;
  let props = `json_merge_patch(j, ${p.add(JSON.stringify(dropTop))})`;
  for (const c of LIFTED_CONTAINERS) {
    const path = p.add(`$."${c}"`);
    const drop = p.add(JSON.stringify(dropNested[c] ?? {}));
    props = `json_merge_patch(${props}, CASE WHEN json_type(j, ${path}) = 'OBJECT'
      THEN json_merge_patch(json_extract(j, ${path}), ${drop}) ELSE '{}'::JSON END)`;
  }
  const recordType = input.recordType ? get(input.recordType) : 'CAST(NULL AS VARCHAR)';
  return {
    user: get(input.mapping.user),
    anonymous: get(input.mapping.anonymous),
    // Segment page and screen calls are events without an event name.
    event: `coalesce(${get(input.mapping.event)}, CASE ${recordType} WHEN 'page' THEN 'page_viewed'
      WHEN 'screen' THEN 'screen_viewed' END)`,
    recordType,
    account: get(input.mapping.account),
    id: get(input.mapping.id),
    time: input.mapping.time
      ? textTimeSql(`json_extract_string(j, ${jsonPathParam(p, input.mapping.time)})`)
      : 'CAST(NULL AS TIMESTAMPTZ)',
    timeGiven: `${get(input.mapping.time)} IS NOT NULL`,
    properties: props,
    raw: 'line',
    line: '_line',
  };
}

/** An NDJSON line with content: blank and whitespace-only lines are skipped, not rejected. */
export const NON_BLANK_LINE = "line IS NOT NULL AND ltrim(line, ' ' || chr(9) || chr(13)) <> ''";

function sourceSql(
  input: ImportPlanInput,
  p: ParamBag,
  withRejects: boolean,
  withLines: boolean,
): string {
  const path = p.add(input.path);
  if (input.format === 'parquet') {
    const cols = input.columns.map((_, i) => alias(i)).join(', ');
    return `read_parquet(${path}) AS src(${cols})`;
  }
  // The pass that appends rows keeps the lines DuckDB cannot read (they become rejected rows);
  // the other passes skip the same lines, so row ordinals agree across passes.
  const rejects = withRejects
    ? ", store_rejects = true, rejects_table = 'import_reject_errors', rejects_scan = 'import_reject_scans'"
    : ', ignore_errors = true';
  if (input.format === 'csv') {
    const cols = input.columns.map((_, i) => alias(i)).join(', ');
    const delim = input.csvDelimiter ? `, delim = ${p.add(input.csvDelimiter)}` : '';
    return `read_csv(${path}, header = true, all_varchar = true, max_line_size = ${MAX_LINE_BYTES}${delim}${rejects}) AS src(${cols})`;
  }
  // NDJSON is read as raw lines so a malformed line is kept (with its number) instead of skipped.
  // Numbering rows serialises the scan, so only the pass that keeps rejected rows does it.
  return `(SELECT ${withLines ? 'row_number() OVER ()' : 'NULL'} AS _line, line,
      CASE WHEN json_valid(line) AND json_type(line::JSON) = 'OBJECT' THEN line::JSON END AS j
    FROM read_csv(${path}, columns = {'line': 'VARCHAR'}, header = false, delim = '\x01',
      quote = '', escape = '', auto_detect = false, strict_mode = false,
      max_line_size = ${MAX_LINE_BYTES}${rejects})) AS src`;
}

/** The checked rows: normalised fields plus `_reason`, NULL when the row is valid. */
function checkedSql(
  input: ImportPlanInput,
  p: ParamBag,
  withRejects: boolean,
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
      FROM ${sourceSql(input, p, withRejects, withLines)} ${skipBlank}))`;
}

export function compileImport(input: ImportPlanInput): ImportPlan {
  // One bag for every statement: the engine binds only the parameters a statement names.
  const p = new ParamBag();
  const project = p.add(input.projectId);
  const source = p.add(input.source);
  const receivedAt = p.add(input.receivedAt);
  const batch = p.add(input.batchId);
  const tz = p.add(input.timeZone);
  // Without a message id, identical content is the same event: re-importing a file adds nothing.
  // A JSON array keeps positions and NULLs apart: (user u1, no anonymous id) and (no user,
  // anonymous u1) are different events.
  const messageId = `coalesce(given_id, 'h_' || md5(CAST(to_json([user_id, anonymous_id, event,
      account_id, CAST(epoch_us(ts) AS VARCHAR), CAST(properties AS VARCHAR)]) AS VARCHAR)))`;
  // Every valid row is appended, then the rows this import should not have added are deleted:
  // ids stored before (deleteKnown) and second copies within the file (deleteCopies). Both are
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
  const findCopies = `SELECT count(*) AS ids FROM (SELECT message_id FROM events
    WHERE ${thisImport} GROUP BY message_id HAVING count(*) > 1)`;
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
    insertEvents: stmt(insertEvents),
    countRows: countRows ? stmt(countRows) : null,
    countByReason: stmt(countByReason),
    insertFailures: stmt(insertFailures),
    insertParseFailures: insertParseFailures ? stmt(insertParseFailures) : null,
    storedBefore: stmt(storedBefore),
    deleteKnown: stmt(deleteKnown),
    findCopies: stmt(findCopies),
    deleteCopies: stmt(deleteCopies),
    touchedDays: stmt(touchedDays),
    rejectedSummary: stmt(rejectedSummary),
  };
}
