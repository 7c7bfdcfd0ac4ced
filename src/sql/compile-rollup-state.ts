import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';

/**
 * The bookkeeping statements around a rollup refresh (src/rollup/run-rollup.ts): the state of the
 * last build, the dirty days it consumes, and what it clears once the rollups have changed. The
 * rebuild itself is compileRollup.
 */

type Statement = { sql: string; params: SqlParams };

/** The state the rollup tables were last built with, as it is stored. */
export interface RollupStateRow {
  time_zone: string;
  session_gap_seconds: number;
  rollup_version: number;
  features_hash: string | null;
}

/** The newest state (a ClickHouse ReplacingMergeTree may still hold older versions). */
export function compileRollupState(d: Dialect, projectId: string): Statement {
  return {
    sql: `SELECT time_zone, session_gap_seconds, rollup_version, features_hash
       FROM rollup_state WHERE project_id = ${d.param('p', 'String')} ORDER BY refreshed_at DESC LIMIT 1`,
    params: { p: projectId },
  };
}

/** The local days marked dirty, as YYYY-MM-DD text in order: `day`. */
export function compileDirtyDays(d: Dialect, projectId: string): Statement {
  return {
    sql: `SELECT DISTINCT ${d.dateText('day')} AS day FROM rollup_dirty_days
           WHERE project_id = ${d.param('p', 'String')} ORDER BY day`,
    params: { p: projectId },
  };
}

/** Whether the project has a group membership with an account: `n` is 0 or 1. */
export function compileHasMemberships(d: Dialect, projectId: string): Statement {
  return {
    sql: `SELECT count(*) AS n FROM (SELECT 1 FROM group_memberships
       WHERE project_id = ${d.param('p', 'String')} AND account_id <> '' LIMIT 1)`,
    params: { p: projectId },
  };
}

/** The days user_day holds for the project: `n`. */
export function compileBuiltDays(d: Dialect, projectId: string): Statement {
  return {
    sql: `SELECT ${d.countDistinct('day')} AS n FROM user_day WHERE project_id = ${d.param('p', 'String')}`,
    params: { p: projectId },
  };
}

/** Forgets the project's cached reports, computed from the rollups just changed. */
export function compileClearReportCache(d: Dialect, projectId: string): Statement {
  return {
    sql: `DELETE FROM report_cache WHERE project_id = ${d.param('p', 'String')}`,
    params: { p: projectId },
  };
}

/** Consumes the project's dirty days (in the transaction of the rebuild). */
export function compileClearDirtyDays(d: Dialect, projectId: string): Statement {
  return {
    sql: `DELETE FROM rollup_dirty_days WHERE project_id = ${d.param('p', 'String')}`,
    params: { p: projectId },
  };
}

/** Records what the rollup tables were built with, and when. */
export function compileSaveRollupState(
  d: Dialect,
  state: {
    projectId: string;
    timeZone: string;
    sessionGapSeconds: number;
    /** ISO instant. */
    refreshedAt: string;
    rollupVersion: number;
    featuresHash: string;
  },
): Statement {
  return {
    sql: `${d.insertReplace('rollup_state')} (project_id, time_zone, session_gap_seconds, refreshed_at,
         rollup_version, features_hash)
       SELECT ${d.param('p', 'String')}, ${d.param('tz', 'String')}, ${d.param('gap', 'Int64')},
         ${d.param('now', 'DateTime')}, ${d.param('v', 'Int64')}, ${d.param('fh', 'String')}`,
    params: {
      p: state.projectId,
      tz: state.timeZone,
      gap: state.sessionGapSeconds,
      now: state.refreshedAt,
      v: state.rollupVersion,
      fh: state.featuresHash,
    },
  };
}
