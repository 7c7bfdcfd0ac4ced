import type { Engine } from '../engines/engine.js';
import { runSnapshots, type SnapshotOptions } from '../lifecycle/run-snapshots.js';
import { snapshotStatus } from '../lifecycle/snapshot-status.js';
import { addDays } from '../time/days.js';
import { type PeriodKind, periodOf } from '../time/periods.js';

/**
 * How far back the account signals look, in days: a quarter, the horizon the domain uses for
 * consistency. An account that lost its power users stays flagged until it has one again, for
 * up to this long; the snapshot history the report computes for itself reaches this far.
 */
export const ACCOUNT_HORIZON_DAYS = 90;

/** The periods of the horizon: 13 weeks, 90 days or 3 months. */
export function horizonPeriods(period: PeriodKind): number {
  if (period === 'day') return ACCOUNT_HORIZON_DAYS;
  if (period === 'week') return Math.ceil(ACCOUNT_HORIZON_DAYS / 7);
  return Math.ceil(ACCOUNT_HORIZON_DAYS / 30);
}

/** The first day of the period `n` periods before the one holding `day`. */
export function periodsBefore(day: string, n: number, period: PeriodKind): string {
  let start = periodOf(day, period).start;
  for (let i = 0; i < n; i++) start = periodOf(addDays(start, -1), period).start;
  return start;
}

export interface HistoryRun {
  /** Periods this run computed: the history missing before the stored ones, and the catch-up. */
  computed_periods: number;
  /** Of them, the periods of history computed before the first one stored (0 when none). */
  history_periods: number;
  /**
   * The first day of the history the signals can look back over, when `maxHistoryPeriods` kept
   * it shorter than the lookback asked for (null when the history reaches as far as asked, or
   * to the first day with data).
   */
  limited_from: string | null;
}

/**
 * Brings the snapshots the account signals compare up to date, and computes the history they
 * need when it is not stored: the `lookback` periods before the one holding `asOf` (no earlier
 * than the first day with data). A first run on a database with months of events thus compares
 * them at once, without a backfill by hand. Stored periods are kept; the missing ones before the
 * first stored period are backfilled, then the periods since the last stored one are brought up
 * to date (runSnapshots). Each period is replaced whole, so a second run computes only the
 * latest period again. The last period is scored as of `asOf`, and that scoring (the table
 * `scored`) is left for the caller.
 */
export async function catchUpSnapshots(
  engine: Engine,
  options: Omit<SnapshotOptions, 'from'> & {
    lookbackPeriods: number;
    /**
     * The most periods of missing history this run computes (the API's bound, so that one
     * request stays short: a quarter of days is 90 scorings); the rest waits for a backfill.
     */
    maxHistoryPeriods?: number | undefined;
  },
): Promise<HistoryRun> {
  const { lookbackPeriods, maxHistoryPeriods, ...snapshot } = options;
  const key = {
    projectId: options.projectId,
    definition: options.definition.name,
    period: options.period,
  };
  const status = await snapshotStatus(engine, key);
  const wanted = periodsBefore(options.asOf, lookbackPeriods, options.period);
  const firstStored = status.first_period_start;
  let from = status.first_day && status.first_day > wanted ? status.first_day : wanted;
  let limitedFrom: string | null = null;
  if (maxHistoryPeriods !== undefined) {
    // The history is counted back from the first stored period (or the as-of date's).
    const end = firstStored !== null && firstStored <= options.asOf ? firstStored : options.asOf;
    const bound = periodsBefore(end, maxHistoryPeriods, options.period);
    if (periodOf(from, options.period).start < bound) {
      from = bound;
      limitedFrom = bound;
    }
  }
  let history = 0;
  if (firstStored === null) {
    // Nothing stored: the history and the latest period in one run.
    const run = await runSnapshots(engine, { ...snapshot, from });
    return {
      computed_periods: run.periods.length,
      history_periods: Math.max(0, run.periods.length - 1),
      limited_from: limitedFrom,
    };
  }
  if (periodOf(from, options.period).start < firstStored && firstStored <= options.asOf) {
    // The periods before the first stored one, each scored as of its own last day.
    const before = await runSnapshots(engine, {
      ...snapshot,
      from,
      asOf: addDays(firstStored, -1),
    });
    history = before.periods.length;
  }
  const now = await runSnapshots(engine, snapshot);
  return {
    computed_periods: history + now.periods.length,
    history_periods: history,
    limited_from: limitedFrom,
  };
}
