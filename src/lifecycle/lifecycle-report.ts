import { dataRange } from '../analysis/resolve-as-of.js';
import type { Engine } from '../engines/engine.js';
import {
  compileLifecycleCounts,
  compileLifecycleFlows,
  compileLifecyclePeople,
  compileRetention,
  LIFECYCLE_STATES,
  type LifecycleInput,
  type LifecycleState,
} from '../sql/compile-lifecycle.js';
import { type PeriodKind, periodOf } from '../time/periods.js';
import { latestSnapshotPeriod } from './snapshot-status.js';
import { stateReason } from './state-reason.js';

export interface LifecyclePeriod {
  period_start: string;
  /** The first stored period: nothing before it to compare with, so no states. */
  baseline: boolean;
  /** The first day of the window the period was scored over (null: stored by an older version). */
  window_start: string | null;
  /**
   * The window starts before the first day of data: its users were scored on fewer days than
   * the window has, so fewer of them pass (backfilled periods near the start of the data).
   */
  partial: boolean;
  active_users: number;
  power_users: number;
  power_user_share: number;
  states: Record<LifecycleState, number>;
}

export interface LifecycleFlow {
  period_start: string;
  /** '' = in no state (not a power user, not emerging). */
  from: string;
  to: string;
  users: number;
}

/** Of the users active in a period, the share still active `periods_later` periods on. */
export interface RetentionPoint {
  group: 'power_users' | 'everyone_else';
  periods_later: number;
  /** Users counted: those active in a period with at least this many periods after it. */
  cohort: number;
  retained: number;
  share: number;
}

export interface LifecycleReport {
  definition: string;
  period: string;
  /** The first day with data (null before any), which `partial` compares windows with. */
  first_day: string | null;
  periods: LifecyclePeriod[];
  flows: LifecycleFlow[];
  retention: RetentionPoint[];
}

export interface LifecyclePerson {
  user_id: string;
  account_id: string;
  period_start: string;
  state: LifecycleState;
  score: number;
  previous_score: number;
  is_power_user: boolean;
  /** Events against the window before, in percent; null ("n/a") when that one had none. */
  trend: number | null;
  days_active: number;
  segments: string[];
  /** Days active and events in the last 7 days of the window (at risk reads the events). */
  days_active_7: number;
  events_7: number;
  /** Days active and events in the 28 days before those, on `baseline_days` of which the user was around. */
  baseline_days_active: number;
  baseline_events: number;
  baseline_days: number;
  /** How close to the definition, 0..1 (1 = a power user). */
  attainment: number;
  /**
   * The attainment of the periods before (as many as emerging compares), oldest first, then
   * this period's; empty when the stored history does not reach that far.
   */
  attainment_history: number[];
  /** Why the user is in the state, with the numbers that decided it. */
  reason: string;
}

const emptyStates = (): Record<LifecycleState, number> =>
  Object.fromEntries(LIFECYCLE_STATES.map((s) => [s, 0])) as Record<LifecycleState, number>;

/**
 * Counts per period and state, the power users and their share, and the flows between states;
 * the retention curves too unless `retention: false` (its query grows with users times periods
 * squared, and a playbook's alerts read only the counts and flows).
 */
export async function lifecycleReport(
  engine: Engine,
  input: LifecycleInput,
  options: { retention?: boolean } = {},
): Promise<LifecycleReport> {
  const counts = compileLifecycleCounts(input);
  const rows = await engine.query<{
    period_start: string;
    active_users: number;
    power_users: number;
    window_start: string | null;
    state: LifecycleState | null;
    users: number | null;
  }>(counts.sql, counts.params);
  const firstDay = (await dataRange(engine, input.projectId))?.first ?? null;
  const periods = new Map<string, LifecyclePeriod>();
  for (const r of rows) {
    let p = periods.get(r.period_start);
    if (!p) {
      p = {
        period_start: r.period_start,
        baseline: periods.size === 0,
        window_start: r.window_start,
        partial: r.window_start !== null && firstDay !== null && r.window_start < firstDay,
        active_users: r.active_users,
        power_users: r.power_users,
        power_user_share: r.active_users > 0 ? r.power_users / r.active_users : 0,
        states: emptyStates(),
      };
      periods.set(r.period_start, p);
    }
    if (r.state) p.states[r.state] = r.users ?? 0;
  }
  const flows = compileLifecycleFlows(input);
  const flowRows = await engine.query<{
    period_start: string;
    from_state: string;
    to_state: string;
    users: number;
  }>(flows.sql, flows.params);
  const retention = compileRetention(input);
  const retentionRows =
    options.retention === false
      ? []
      : await engine.query<{
          power_users: boolean;
          periods_later: number;
          cohort: number;
          retained: number;
        }>(retention.sql, retention.params);
  return {
    definition: input.definition,
    period: input.period,
    first_day: firstDay,
    periods: [...periods.values()],
    retention: retentionRows.map((r) => ({
      group: r.power_users ? 'power_users' : 'everyone_else',
      periods_later: r.periods_later,
      cohort: r.cohort,
      retained: r.retained,
      share: r.cohort > 0 ? r.retained / r.cohort : 0,
    })),
    flows: flowRows.map((f) => ({
      period_start: f.period_start,
      from: f.from_state,
      to: f.to_state,
      users: f.users,
    })),
  };
}

/**
 * A snapshot row's attainment over the periods emerging compares (`att_n` .. `att_1`, the query's
 * columns), oldest first, then this period's; empty when the stored history does not reach that
 * far (a column is null).
 */
export function attainmentHistory(
  row: { attainment: number; [att: `att_${number}`]: number | null },
  periods: number,
): number[] {
  const before = Array.from({ length: periods }, (_, i) => row[`att_${periods - i}`] ?? null);
  return before.every((a) => a !== null)
    ? [...(before as number[]).map(Number), Number(row.attainment)]
    : [];
}

/** The people in one state in the period starting on `periodStart`. */
export async function lifecyclePeople(
  engine: Engine,
  input: LifecycleInput,
  state: LifecycleState,
  periodStart: string,
): Promise<LifecyclePerson[]> {
  const q = compileLifecyclePeople(input, state, periodStart);
  type Row = Omit<LifecyclePerson, 'segments' | 'attainment_history' | 'reason'> & {
    segments: string;
    [att: `att_${number}`]: number | null;
  };
  const rows = await engine.query<Row>(q.sql, q.params);
  const n = input.rules.emergingPeriods;
  return rows.map((r) => {
    const { segments, ...rest } = r;
    for (let k = 1; k <= n; k++) delete rest[`att_${k}`];
    const person = {
      ...rest,
      segments: segments.split(';').filter(Boolean),
      attainment_history: attainmentHistory(r, n),
    };
    return { ...person, reason: stateReason(person, input.period) };
  });
}

/** The people in one state in one period: the period's first day, and who. */
export interface PeopleInState {
  period_start: string;
  people: LifecyclePerson[];
}

/**
 * The people in one state in the period holding the day `at` (default: the latest stored
 * period), or null when no snapshot of the definition and period kind is stored yet.
 */
export async function peopleInState(
  engine: Engine,
  input: LifecycleInput & { period: PeriodKind },
  state: LifecycleState,
  at: string | undefined,
): Promise<PeopleInState | null> {
  const last = await latestSnapshotPeriod(engine, input);
  if (!last) return null;
  const start = at ? periodOf(at, input.period).start : last;
  return { period_start: start, people: await lifecyclePeople(engine, input, state, start) };
}
