import { dataRange } from '../analysis/resolve-as-of.js';
import { scoreInto } from '../analysis/score-users.js';
import type { Engine } from '../engines/engine.js';
import type { Catalogue } from '../model/catalogue.js';
import type { Definition } from '../model/definition.js';
import type { Segment } from '../model/segments.js';
import { compileSegments } from '../sql/compile-segments.js';
import {
  compileScoredTotals,
  compileStoreSnapshotPeriod,
  type SnapshotKey,
} from '../sql/compile-snapshots.js';
import { addDays, isIsoDay } from '../time/days.js';
import { type Period, type PeriodKind, periodsBetween } from '../time/periods.js';
import { latestSnapshotPeriod } from './snapshot-status.js';

export interface SnapshotOptions {
  projectId: string;
  definition: Definition;
  catalogue?: Catalogue | undefined;
  segments: readonly Segment[];
  period: PeriodKind;
  /** Backfill: every period from the one holding this day (replacing what is stored). */
  from?: string | undefined;
  /**
   * The last day to cover: a day with data (resolveAsOf with `withinData`, by the command or
   * route the request entered), the last period's scoring as of it.
   */
  asOf: string;
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
  /**
   * Each period written: its first day, the day it was scored as of, users and power users, and
   * the first day of its window, which in a partial period is before the first day of data.
   */
  periods: {
    period_start: string;
    as_of: string;
    users: number;
    power_users: number;
    window_start: string;
    partial: boolean;
  }[];
}

/**
 * Why a run stores nothing, with the days that say so: the CLI reads the error's message, the
 * API words each refusal for its callers (without the CLI's flags).
 */
export type SnapshotRefusal =
  /** `from` is after the last day to cover. */
  | { reason: 'from_after_as_of'; from: string; asOf: string }
  /** Without `from`, the latest stored period starts after the last day to cover. */
  | { reason: 'stored_after_as_of'; stored: string; asOf: string }
  /** More periods than `maxPeriods` from `from` to the last day to cover. */
  | { reason: 'too_many_periods'; periods: number; from: string; asOf: string; max: number };

export class SnapshotError extends Error {
  constructor(
    message: string,
    readonly refusal?: SnapshotRefusal,
  ) {
    super(message);
  }
}

/**
 * Stores each user's status per period (new power user or not, score, criteria met, segments),
 * scored as of the period's last day, or `asOf` for the period still running.
 * Incremental: without `from`, the periods from the last one stored (which may have been running
 * then) to today's; with `from`, a backfill of every period since. Each period is replaced
 * whole, so a run again writes the same rows. The last period is scored as of the last day
 * covered, and that scoring stays in the table `scored` for the caller (accounts read it).
 */
export async function runSnapshots(engine: Engine, options: SnapshotOptions): Promise<SnapshotRun> {
  if (options.from !== undefined && !isIsoDay(options.from)) {
    throw new SnapshotError(`first day ${options.from}: use a date written YYYY-MM-DD.`);
  }
  const last = options.asOf;
  const key: SnapshotKey = {
    projectId: options.projectId,
    definition: options.definition.name,
    period: options.period,
  };
  const periods = await periodsToStore(engine, options, key, last);
  const run: SnapshotRun = {
    period: options.period,
    definition: options.definition.name,
    periods: [],
  };
  const firstDay = periods.length > 0 ? (await dataRange(engine, options.projectId))?.first : null;
  for (const [i, period] of periods.entries()) {
    options.onProgress?.(i, periods.length, period.start);
    const stored = await snapshotPeriod(engine, options, key, period, last);
    const windowStart = addDays(stored.as_of, 1 - options.definition.window_days);
    run.periods.push({
      ...stored,
      window_start: windowStart,
      partial: firstDay != null && windowStart < firstDay,
    });
  }
  options.onProgress?.(periods.length, periods.length, '');
  return run;
}

/**
 * The periods a run stores, from `from` or else the latest one stored (or the last day's) to the
 * last day covered; refused (SnapshotError) when they start after it, or are more than allowed.
 */
async function periodsToStore(
  engine: Engine,
  options: SnapshotOptions,
  key: SnapshotKey,
  last: string,
): Promise<Period[]> {
  const from = options.from ?? (await latestSnapshotPeriod(engine, key)) ?? last;
  if (from > last) {
    throw options.from !== undefined
      ? new SnapshotError(`first day ${from} is after the last day with data (${last}).`, {
          reason: 'from_after_as_of',
          from,
          asOf: last,
        })
      : new SnapshotError(
          `snapshots are stored up to the ${options.period} of ${from}, after ${last}: the comparison between periods starts from the latest one stored, so use an as-of date from ${from}.`,
          { reason: 'stored_after_as_of', stored: from, asOf: last },
        );
  }
  const periods = periodsBetween(from, last, options.period);
  if (options.maxPeriods !== undefined && periods.length > options.maxPeriods) {
    throw new SnapshotError(
      `${periods.length} ${options.period}s of snapshots are missing (from ${from} to ${last}), more than one request computes (${options.maxPeriods}): bring them up to date first with powerlens snapshot${options.from === undefined ? '' : ' (or backfill)'}, or use a longer period.`,
      {
        reason: 'too_many_periods',
        periods: periods.length,
        from,
        asOf: last,
        max: options.maxPeriods,
      },
    );
  }
  return periods;
}

/** Scores one period as of its last day (or `last`, if sooner) and stores it, replacing it. */
async function snapshotPeriod(
  engine: Engine,
  options: SnapshotOptions,
  key: SnapshotKey,
  period: Period,
  last: string,
): Promise<Omit<SnapshotRun['periods'][number], 'window_start' | 'partial'>> {
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
  const store = compileStoreSnapshotPeriod(d, key, {
    start: period.start,
    asOf,
    definition,
    segments: segments ? options.segments.map((g) => g.name) : [],
  });
  await engine.transaction(async () => {
    for (const statement of store.statements) await engine.run(statement, store.params);
  });
  const totals = compileScoredTotals(d);
  const [counts] = await engine.query<{ users: number; power_users: number }>(
    totals.sql,
    totals.params,
  );
  return {
    period_start: period.start,
    as_of: asOf,
    users: counts?.users ?? 0,
    power_users: counts?.power_users ?? 0,
  };
}
