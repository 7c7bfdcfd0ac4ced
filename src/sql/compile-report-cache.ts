import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';

/** The report cache (table `report_cache`): reports kept per project under a key of their inputs. */

type Compiled = { sql: string; params: SqlParams };

/**
 * The project's latest rollup state and when it was refreshed: part of a report's key, so a report
 * is not reused once the data has changed.
 */
export function compileRollupStamp(d: Dialect, projectId: string): Compiled {
  return {
    sql: `SELECT time_zone, session_gap_seconds, rollup_version, features_hash, refreshed_at
     FROM rollup_state WHERE project_id = ${d.param('p', 'String')}
     ORDER BY refreshed_at DESC LIMIT 1`,
    params: { p: projectId },
  };
}

/** The report stored under `key` (`report` as JSON text, `created_at`), newest first. */
export function compileCachedReport(d: Dialect, projectId: string, key: string): Compiled {
  return {
    sql: `SELECT report, created_at FROM report_cache
     WHERE project_id = ${d.param('p', 'String')} AND cache_key = ${d.param('k', 'String')}
     ORDER BY created_at DESC LIMIT 1`,
    params: { p: projectId, k: key },
  };
}

/** Removes the reports stored under `key`, before the new one is inserted. */
export function compileForgetReport(d: Dialect, projectId: string, key: string): Compiled {
  const p = d.param('p', 'String');
  return {
    sql: `DELETE FROM report_cache WHERE project_id = ${p} AND cache_key = ${d.param('k', 'String')}`,
    params: { p: projectId, k: key },
  };
}

/** Keeps the project's `keep` newest reports and removes the others. */
export function compileTrimReports(d: Dialect, projectId: string, keep: number): Compiled {
  const p = d.param('p', 'String');
  return {
    sql: `DELETE FROM report_cache WHERE project_id = ${p} AND cache_key NOT IN (
       SELECT cache_key FROM report_cache WHERE project_id = ${p}
       ORDER BY created_at DESC, cache_key LIMIT ${d.param('keep', 'Int64')})`,
    params: { p: projectId, keep },
  };
}
