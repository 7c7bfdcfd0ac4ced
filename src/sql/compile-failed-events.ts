import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams, SqlValue } from '../dialect/sql-value.js';

/**
 * The statements over failed_events, the rows and messages set aside with their reason: read,
 * counted and exported by the CLI (`powerlens failed-events`) and the API (GET
 * /api/v1/failed-events) through src/ingest/collector/list-failed-events.ts, resolved or updated
 * by re-submission, replaced by an import of the same file.
 */

type Statement = { sql: string; params: SqlParams };

/** Which failed_events rows: those of a project, narrowed by what their reason and source hold. */
export interface FailedEventsFilter {
  projectId: string;
  /** Only reasons containing this text, whatever its case. */
  reason?: string | undefined;
  /** Only sources (file:<path>, segment, posthog) containing this text, whatever its case. */
  source?: string | undefined;
  /** Rows already re-submitted and stored too (resolved_at set). */
  includeResolved: boolean;
  /**
   * How the texts are matched: 'literal' finds them as written (the API); 'pattern' lets a % or
   * _ in them stand for any characters, as the CLI's --reason and --source always have.
   */
  match: 'literal' | 'pattern';
}

/** The order rows come in. */
export type FailedEventsOrder =
  /** Oldest first (failed_at, failed_id): exports and re-submission. */
  | 'oldest'
  /** Newest first (failed_at DESC, failed_id): the API's pages. */
  | 'newest'
  /** By where they came from (source, source_line, failed_at): the CLI's listing. */
  | 'source';

export interface FailedEventsPage {
  order: FailedEventsOrder;
  limit?: number | undefined;
  offset?: number | undefined;
  /** Characters of `raw` read (the first ones); absent: all of it. */
  rawChars?: number | undefined;
  /**
   * Instants as ISO text to the second (the API's form); otherwise as the engine gives them
   * (DuckDB: ISO text to the millisecond, which the CLI prints).
   */
  instantsAsText?: boolean | undefined;
}

const ORDERS: Record<FailedEventsOrder, string> = {
  oldest: 'failed_at, failed_id',
  newest: 'failed_at DESC, failed_id',
  source: 'source, source_line, failed_at',
};

/** `%text%` for LIKE, with the text's own wildcards taken literally (backslash escapes). */
const containing = (text: string): string =>
  `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The WHERE condition of a filter and its parameters. */
function where(d: Dialect, filter: FailedEventsFilter): { where: string; params: SqlParams } {
  const params: Record<string, SqlValue> = { p: filter.projectId };
  const conditions = [`project_id = ${d.param('p', 'String')}`];
  for (const column of ['reason', 'source'] as const) {
    const text = filter[column];
    if (!text) continue;
    const param = d.param(column, 'String');
    if (filter.match === 'pattern') {
      conditions.push(`${column} ILIKE ${param}`);
      params[column] = `%${text}%`;
    } else {
      conditions.push(d.like(`lower(${column})`, param));
      params[column] = containing(text);
    }
  }
  if (!filter.includeResolved) conditions.push('resolved_at IS NULL');
  return { where: conditions.join(' AND '), params };
}

/** The rows of a filter as FailedEventRow, in a page's order and size. */
export function compileFailedEventRows(
  d: Dialect,
  filter: FailedEventsFilter,
  page: FailedEventsPage,
): Statement {
  const w = where(d, filter);
  const params: Record<string, SqlValue> = { ...w.params };
  const raw =
    page.rawChars === undefined ? 'raw' : `substring(raw, 1, ${Math.trunc(page.rawChars)}) AS raw`;
  const instant = (column: string) =>
    page.instantsAsText ? `${d.instantText(column)} AS ${column}` : column;
  let paging = '';
  if (page.limit !== undefined) {
    paging += ` LIMIT ${d.param('n', 'Int64')}`;
    params.n = page.limit;
  }
  if (page.offset !== undefined) {
    paging += ` OFFSET ${d.param('o', 'Int64')}`;
    params.o = page.offset;
  }
  return {
    sql: `SELECT failed_id, source, source_line, reason, ${raw}, ${instant('failed_at')},
       ${instant('resolved_at')}
     FROM failed_events WHERE ${w.where}
     ORDER BY ${ORDERS[page.order]}${paging}`,
    params,
  };
}

/** How many rows a filter selects: `n`. */
export function compileCountFailedEvents(d: Dialect, filter: FailedEventsFilter): Statement {
  const w = where(d, filter);
  return { sql: `SELECT count(*) AS n FROM failed_events WHERE ${w.where}`, params: w.params };
}

/** The rows of a filter per reason, most first, at most `max` reasons: `reason`, `n`. */
export function compileFailedEventReasons(
  d: Dialect,
  filter: FailedEventsFilter,
  max: number,
): Statement {
  const w = where(d, filter);
  return {
    sql: `SELECT reason, count(*) AS n FROM failed_events WHERE ${w.where}
     GROUP BY reason ORDER BY n DESC, reason LIMIT ${Math.trunc(max)}`,
    params: w.params,
  };
}

/** The ids of a filter's rows, oldest first: `failed_id`. */
export function compileFailedEventIds(d: Dialect, filter: FailedEventsFilter): Statement {
  const w = where(d, filter);
  return {
    sql: `SELECT failed_id FROM failed_events WHERE ${w.where} ORDER BY ${ORDERS.oldest}`,
    params: w.params,
  };
}

/** Some rows of a project by id, as FailedEventRow (whole raw, instants as the engine gives them). */
export function compileFailedEventsById(
  d: Dialect,
  projectId: string,
  ids: readonly string[],
): Statement {
  return {
    sql: `SELECT failed_id, source, source_line, reason, raw, failed_at, resolved_at FROM failed_events
     WHERE project_id = ${d.param('p', 'String')} AND ${d.inList('failed_id', d.param('ids', 'Array(String)'))}`,
    params: { p: projectId, ids },
  };
}

/**
 * Marks rows re-submitted and stored at an instant (ISO text). An update in place: re-submission
 * runs where the collector's loader does, on DuckDB.
 */
export function compileResolveFailedEvents(
  d: Dialect,
  projectId: string,
  ids: readonly string[],
  at: string,
): Statement {
  return {
    sql: `UPDATE failed_events SET resolved_at = CAST(${d.param('now', 'DateTime')} AS TIMESTAMPTZ)
     WHERE project_id = ${d.param('p', 'String')} AND ${d.inList('failed_id', d.param('ids', 'Array(String)'))}`,
    params: { p: projectId, ids, now: at },
  };
}

/**
 * A row rejected again: its reason now, and the edited message when there is one (null keeps
 * the stored payload). DuckDB, as compileResolveFailedEvents.
 */
export function compileRejectAgain(
  d: Dialect,
  row: { projectId: string; failedId: string; reason: string; raw: string | null },
): Statement {
  return {
    sql: `UPDATE failed_events SET reason = ${d.param('reason', 'String')}, raw = coalesce(${d.param('raw', 'String')}, raw)
     WHERE project_id = ${d.param('p', 'String')} AND failed_id = ${d.param('id', 'String')}`,
    params: { p: row.projectId, id: row.failedId, reason: row.reason, raw: row.raw },
  };
}

/** Deletes the rows an import of a file set aside (`source` is file:<path>), before it runs again. */
export function compileDeleteFailedEventsOf(
  d: Dialect,
  projectId: string,
  source: string,
): Statement {
  return {
    sql: `DELETE FROM failed_events WHERE project_id = ${d.param('p', 'String')}
       AND source = ${d.param('s', 'String')}`,
    params: { p: projectId, s: source },
  };
}
