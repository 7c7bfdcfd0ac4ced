import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';
import { criteriaOf, type Definition } from '../model/definition.js';
import { attainmentSql } from './compile-score.js';

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

/** The first day of each stored period from `since` on (`start`), oldest first. */
export function compileStoredPeriodsSince(
  d: Dialect,
  key: SnapshotKey,
  since: string,
): { sql: string; params: SqlParams } {
  return {
    sql: `SELECT DISTINCT ${d.dateText('period_start')} AS start FROM user_snapshots
      WHERE ${keyWhere(d)} AND period_start >= ${d.param('since', 'Date')} ORDER BY start`,
    params: { ...keyParams(key), since },
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
  /**
   * The definition scored: its criteria are counted as met per user, its window gives the
   * window's first day, and attainment follows its rule (attainmentSql).
   */
  definition: Definition;
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
  const { definition, segments } = input;
  const criteriaIds =
    definition.kind === 'rule' ? criteriaOf(definition.rule).map((c) => c.id) : [];
  const asof = d.date(d.param('asof', 'Date'));
  // The last 7 days are after this day; the baseline's 28 days end on it.
  const recent = d.minusDays(asof, '7');
  const met =
    criteriaIds.length > 0
      ? criteriaIds.map((id) => `CAST(s.pass_${id} AS INTEGER)`).join(' + ')
      : '0';
  // The stored score is a whole number (the column predates scores in tenths); a user with no
  // earlier window has no trend (null, "n/a").
  const score = `CAST(${d.round('s.score', 0)} AS INTEGER)`;
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
         trend, days_since_last_seen, segments, window_start, first_seen, days_active_7,
         baseline_days_active, baseline_days, events_7, baseline_events, attainment)
       SELECT ${d.param('p', 'String')}, ${d.param('def', 'String')}, ${d.param('period', 'String')},
         ${d.date(d.param('start', 'Date'))}, ${asof}, s.user_id,
         s.account_id, s.is_power_user, ${score}, ${met}, ${criteriaIds.length}, s.days_active,
         s.events, s.trend, s.days_since_last_seen, ${names},
         ${d.minusDays(asof, String(definition.window_days - 1))},
         ${d.minusDays(asof, 's.tenure_days')},
         CAST(coalesce(r.days_active_7, 0) AS INTEGER),
         CAST(coalesce(r.baseline_days_active, 0) AS INTEGER),
         CAST(least(${BASELINE_DAYS}, greatest(0, s.tenure_days - 6)) AS INTEGER),
         CAST(coalesce(r.events_7, 0) AS BIGINT), CAST(coalesce(r.baseline_events, 0) AS BIGINT),
         s.attainment
       FROM (SELECT *, ${d.round(attainmentSql(definition), 4)} AS attainment FROM scored) s
       ${segments.length > 0 ? 'LEFT JOIN snapshot_segments g ON g.user_id = s.user_id' : ''}
       LEFT JOIN (
         SELECT user_id, ${d.countIf(`day > ${recent}`)} AS days_active_7,
           ${d.countIf(`day <= ${recent}`)} AS baseline_days_active,
           ${d.sumIf('n', `day > ${recent}`)} AS events_7,
           ${d.sumIf('n', `day <= ${recent}`)} AS baseline_events
         FROM (
           SELECT user_id, day, sum(events) AS n FROM user_day
           WHERE project_id = ${d.param('p', 'String')} AND NOT anonymous
             AND day > ${d.minusDays(asof, String(BASELINE_DAYS + 7))} AND day <= ${asof}
           GROUP BY user_id, day) x
         GROUP BY user_id) r ON r.user_id = s.user_id`,
    ],
    params: { ...keyParams(key), start: input.start, asof: input.asOf },
  };
}

/**
 * The days before the last 7 that make a user's own usual rate for at risk: 4 weeks (days
 * as_of-34 .. as_of-7), or as many of them as the user has been seen on (tenure).
 */
export const BASELINE_DAYS = 28;

/** The users (`users`) and power users (`power_users`) of the last scoring (`scored`). */
export function compileScoredTotals(d: Dialect): { sql: string; params: SqlParams } {
  return {
    sql: `SELECT count(*) AS users, ${d.countIf('is_power_user')} AS power_users FROM scored`,
    params: {},
  };
}
