import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';

/**
 * The stored snapshots (docs/lifecycle.md, src/lifecycle/run-snapshots.ts): each user's status
 * per period of one definition and period kind, written a period at a time from the last scoring
 * (the table `scored`), and what is stored so far.
 */

/** The snapshots of one definition and period kind of a project. */
export interface SnapshotKey {
  projectId: string;
  definition: string;
  period: string;
}

const keyParams = (key: SnapshotKey) => ({
  p: key.projectId,
  def: key.definition,
  period: key.period,
});

/** The rows of one key (parameters p, def, period). */
const keyWhere = (d: Dialect) =>
  `project_id = ${d.param('p', 'String')} AND definition = ${d.param('def', 'String')}
    AND period = ${d.param('period', 'String')}`;

/** The first day of the latest stored period (`start`, null when none is stored). */
export function compileLatestSnapshotPeriod(
  d: Dialect,
  key: SnapshotKey,
): { sql: string; params: SqlParams } {
  return {
    sql: `SELECT ${d.dateText('max(period_start)')} AS start FROM user_snapshots WHERE ${keyWhere(d)}`,
    params: keyParams(key),
  };
}

/** How many periods are stored (`n`): a comparison between periods needs two. */
export function compileSnapshotPeriodCount(
  d: Dialect,
  key: SnapshotKey,
): { sql: string; params: SqlParams } {
  return {
    sql: `SELECT ${d.countDistinct('period_start')} AS n FROM user_snapshots WHERE ${keyWhere(d)}`,
    params: keyParams(key),
  };
}

/**
 * What is stored: the periods (`n`), the first and last period's first day, and the last day a
 * period was scored as of.
 */
export function compileSnapshotStatus(
  d: Dialect,
  key: SnapshotKey,
): { sql: string; params: SqlParams } {
  return {
    sql: `SELECT ${d.countDistinct('period_start')} AS n, ${d.dateText('min(period_start)')} AS first,
             ${d.dateText('max(period_start)')} AS last, ${d.dateText('max(as_of)')} AS as_of
           FROM user_snapshots WHERE ${keyWhere(d)}`,
    params: keyParams(key),
  };
}

/** What one period's snapshot is written from, besides its key. */
export interface SnapshotPeriodInput {
  /** The period's first day. */
  start: string;
  /** The day it was scored as of (its last day, or the last day covered). */
  asOf: string;
  /** The ids of the definition's criteria (a rule's), counted as met per user. */
  criteriaIds: readonly string[];
  /**
   * The segment names of the scratch table `snapshot_segments` (a column `seg_<name>` each), or
   * none when there is no such table. A name is a plain name checked by the config schema
   * (lower-case letters, digits, _), so it can be a literal.
   */
  segments: readonly string[];
}

/**
 * One period's snapshot, replaced whole: the statements to run in one transaction, the rows of
 * the period deleted, then each user of the last scoring (`scored`) inserted.
 */
export function compileStoreSnapshotPeriod(
  d: Dialect,
  key: SnapshotKey,
  input: SnapshotPeriodInput,
): { statements: string[]; params: SqlParams } {
  const { criteriaIds, segments } = input;
  const met =
    criteriaIds.length > 0
      ? criteriaIds.map((id) => `CAST(s.pass_${id} AS INTEGER)`).join(' + ')
      : '0';
  // Segment names, each followed by ';' (text, the same on every engine).
  const names =
    segments.length > 0
      ? segments
          .map((name) => `CASE WHEN coalesce(g.seg_${name}, false) THEN '${name};' ELSE '' END`)
          .join(' || ')
      : "''";
  return {
    statements: [
      `DELETE FROM user_snapshots WHERE ${keyWhere(d)}
       AND period_start = ${d.date(d.param('start', 'Date'))}`,
      `INSERT INTO user_snapshots (project_id, definition, period, period_start, as_of, user_id,
         account_id, is_power_user, score, criteria_met, criteria_total, days_active, events,
         trend, days_since_last_seen, segments)
       SELECT ${d.param('p', 'String')}, ${d.param('def', 'String')}, ${d.param('period', 'String')},
         ${d.date(d.param('start', 'Date'))}, ${d.date(d.param('asof', 'Date'))}, s.user_id,
         s.account_id, s.is_power_user, s.score, ${met}, ${criteriaIds.length}, s.days_active,
         s.events, s.trend, s.days_since_last_seen, ${names}
       FROM scored s
       ${segments.length > 0 ? 'LEFT JOIN snapshot_segments g ON g.user_id = s.user_id' : ''}`,
    ],
    params: { ...keyParams(key), start: input.start, asof: input.asOf },
  };
}

/** The users (`users`) and power users (`power_users`) of the last scoring (`scored`). */
export function compileScoredTotals(d: Dialect): { sql: string; params: SqlParams } {
  return {
    sql: `SELECT count(*) AS users, ${d.countIf('is_power_user')} AS power_users FROM scored`,
    params: {},
  };
}
