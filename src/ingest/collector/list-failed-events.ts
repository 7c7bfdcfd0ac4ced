import type { Engine } from '../../engines/engine.js';
import {
  compileCountFailedEvents,
  compileFailedEventIds,
  compileFailedEventReasons,
  compileFailedEventRows,
  type FailedEventsFilter,
  type FailedEventsPage,
} from '../../sql/compile-failed-events.js';
import type { FailedEventRow } from './failed-event-row.js';

export type { FailedEventsFilter, FailedEventsPage } from '../../sql/compile-failed-events.js';

/**
 * The rows and messages set aside with their reason, as the CLI (`powerlens failed-events`) and
 * the API (GET /api/v1/failed-events) read them: one page of a filter's rows and how many it
 * selects in all.
 */
export async function listFailedEvents(
  engine: Engine,
  filter: FailedEventsFilter,
  page: FailedEventsPage,
): Promise<{ total: number; rows: FailedEventRow[] }> {
  const d = engine.dialect;
  const count = compileCountFailedEvents(d, filter);
  const [counted] = await engine.query<{ n: number }>(count.sql, count.params);
  const listed = compileFailedEventRows(d, filter, page);
  const rows = await engine.query<FailedEventRow>(listed.sql, listed.params);
  return { total: Number(counted?.n ?? 0), rows };
}

/** A filter's rows per reason, most first, at most `max` reasons. */
export async function countFailedEventsByReason(
  engine: Engine,
  filter: FailedEventsFilter,
  max: number,
): Promise<{ reason: string; count: number }[]> {
  const st = compileFailedEventReasons(engine.dialect, filter, max);
  const rows = await engine.query<{ reason: string; n: number }>(st.sql, st.params);
  return rows.map((r) => ({ reason: r.reason, count: Number(r.n) }));
}

/** Every row of a filter with its whole payload, oldest first: what an export file holds. */
export function exportFailedEvents(
  engine: Engine,
  filter: FailedEventsFilter,
): Promise<FailedEventRow[]> {
  const st = compileFailedEventRows(engine.dialect, filter, { order: 'oldest' });
  return engine.query<FailedEventRow>(st.sql, st.params);
}

/** The ids of a filter's rows, oldest first (what --retry re-submits). */
export async function failedEventIds(
  engine: Engine,
  filter: FailedEventsFilter,
): Promise<string[]> {
  const st = compileFailedEventIds(engine.dialect, filter);
  return (await engine.query<{ failed_id: string }>(st.sql, st.params)).map((r) => r.failed_id);
}
