import { resolveAsOf } from '../analysis/run-analysis.js';
import { scoreInto } from '../analysis/score-users.js';
import type { Engine } from '../engines/engine.js';
import type { Catalogue } from '../model/catalogue.js';
import { criteriaOf, type Definition } from '../model/definition.js';
import type { Segment } from '../model/segments.js';
import { compileSegments } from '../sql/compile-segments.js';
import { isIsoDay } from '../time/days.js';
import { type Period, type PeriodKind, periodsBetween } from '../time/periods.js';
import { latestSnapshotPeriod } from './lifecycle-report.js';

export interface SnapshotOptions {
  projectId: string;
  definition: Definition;
  catalogue?: Catalogue | undefined;
  segments: readonly Segment[];
  period: PeriodKind;
  /** Backfill: every period from the one holding this day (replacing what is stored). */
  from?: string | undefined;
  /** The last day to cover (default: the last day with data). */
  asOf?: string | undefined;
  onProgress?: ((done: number, total: number, period: string) => void) | undefined;
  /**
   * The most periods one run may compute (a request's catch-up); more is refused with a hint to
   * bring the snapshots up to date first. Unbounded when not given (backfill, snapshot).
   */
  maxPeriods?: number | undefined;
}

export interface SnapshotRun {
  period: PeriodKind;
  definition: string;
  /** Each period written: its first day, the day it was scored as of, users and power users. */
  periods: { period_start: string; as_of: string; users: number; power_users: number }[];
}

export class SnapshotError extends Error {}

/**
 * Stores each user's status per period (new power user or not, score, criteria met, segments),
 * scored as of the period's last day, or the last day with data for the period still running.
 * Incremental: without `from`, the periods from the last one stored (which may have been running
 * then) to today's; with `from`, a backfill of every period since. Each period is replaced
 * whole, so a run again writes the same rows. The last period is scored as of the last day
 * covered, and that scoring stays in the table `scored` for the caller (accounts read it).
 */
export async function runSnapshots(engine: Engine, options: SnapshotOptions): Promise<SnapshotRun> {
  const d = engine.dialect;
  if (options.from !== undefined && !isIsoDay(options.from)) {
    throw new SnapshotError(`first day ${options.from}: use a date written YYYY-MM-DD.`);
  }
  const last = await resolveAsOf(engine, options.projectId, options.asOf, true);
  const key = {
    p: options.projectId,
    def: options.definition.name,
    period: options.period,
  };
  const where = `project_id = ${d.param('p', 'String')} AND definition = ${d.param('def', 'String')}
    AND period = ${d.param('period', 'String')}`;
  const from =
    options.from ??
    (await latestSnapshotPeriod(engine, {
      projectId: options.projectId,
      definition: options.definition.name,
      period: options.period,
      dialect: d,
    })) ??
    last;
  if (from > last) {
    throw new SnapshotError(
      options.from !== undefined
        ? `first day ${from} is after the last day with data (${last}).`
        : `snapshots are stored up to the ${options.period} of ${from}, after ${last}: the comparison between periods starts from the latest one stored, so use an as-of date from ${from}.`,
    );
  }
  const periods = periodsBetween(from, last, options.period);
  if (options.maxPeriods !== undefined && periods.length > options.maxPeriods) {
    throw new SnapshotError(
      `${periods.length} ${options.period}s of snapshots are missing (from ${from} to ${last}), more than one request computes (${options.maxPeriods}): bring them up to date first with powerlens snapshot${options.from === undefined ? '' : ' (or backfill)'}, or use a longer period.`,
    );
  }
  const run: SnapshotRun = {
    period: options.period,
    definition: options.definition.name,
    periods: [],
  };
  for (const [i, period] of periods.entries()) {
    options.onProgress?.(i, periods.length, period.start);
    run.periods.push(await snapshotPeriod(engine, options, period, last, where, key));
  }
  options.onProgress?.(periods.length, periods.length, '');
  return run;
}

async function snapshotPeriod(
  engine: Engine,
  options: SnapshotOptions,
  period: Period,
  last: string,
  where: string,
  key: Record<string, string>,
): Promise<SnapshotRun['periods'][number]> {
  const d = engine.dialect;
  const asOf = period.end < last ? period.end : last;
  const { definition } = options;
  await scoreInto(engine, definition, {
    projectId: options.projectId,
    asOf,
    catalogue: options.catalogue,
  });
  const segments = compileSegments(options.segments, definition.window_days, d);
  if (segments) await engine.run(d.scratchTable('snapshot_segments', segments.sql));
  const criteria = definition.kind === 'rule' ? criteriaOf(definition.rule) : [];
  const met =
    criteria.length > 0 ? criteria.map((c) => `CAST(s.pass_${c.id} AS INTEGER)`).join(' + ') : '0';
  // Segment names, each followed by ';' (text, the same on every engine). A name is a plain
  // name checked by the config schema (lower-case letters, digits, _), so it can be a literal.
  const names = segments
    ? options.segments
        .map((g) => `CASE WHEN coalesce(g.seg_${g.name}, false) THEN '${g.name};' ELSE '' END`)
        .join(' || ')
    : "''";
  const params = { ...key, start: period.start, asof: asOf };
  await engine.transaction(async () => {
    await engine.run(
      `DELETE FROM user_snapshots WHERE ${where}
       AND period_start = ${d.date(d.param('start', 'Date'))}`,
      params,
    );
    await engine.run(
      `INSERT INTO user_snapshots (project_id, definition, period, period_start, as_of, user_id,
         account_id, is_power_user, score, criteria_met, criteria_total, days_active, events,
         trend, days_since_last_seen, segments)
       SELECT ${d.param('p', 'String')}, ${d.param('def', 'String')}, ${d.param('period', 'String')},
         ${d.date(d.param('start', 'Date'))}, ${d.date(d.param('asof', 'Date'))}, s.user_id,
         s.account_id, s.is_power_user, s.score, ${met}, ${criteria.length}, s.days_active,
         s.events, s.trend, s.days_since_last_seen, ${names}
       FROM scored s
       ${segments ? 'LEFT JOIN snapshot_segments g ON g.user_id = s.user_id' : ''}`,
      params,
    );
  });
  const [counts] = await engine.query<{ users: number; power_users: number }>(
    `SELECT count(*) AS users, ${d.countIf('is_power_user')} AS power_users FROM scored`,
  );
  return {
    period_start: period.start,
    as_of: asOf,
    users: counts?.users ?? 0,
    power_users: counts?.power_users ?? 0,
  };
}
