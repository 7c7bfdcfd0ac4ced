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

export interface LifecyclePeriod {
  period_start: string;
  /** The first stored period: nothing before it to compare with, so no states. */
  baseline: boolean;
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
  trend: number;
  days_active: number;
  segments: string[];
}

const emptyStates = (): Record<LifecycleState, number> =>
  Object.fromEntries(LIFECYCLE_STATES.map((s) => [s, 0])) as Record<LifecycleState, number>;

/** Counts per period and state, the power users and their share, and the flows between states. */
export async function lifecycleReport(
  engine: Engine,
  input: LifecycleInput,
): Promise<LifecycleReport> {
  const counts = compileLifecycleCounts(input);
  const rows = await engine.query<{
    period_start: string;
    active_users: number;
    power_users: number;
    state: LifecycleState | null;
    users: number | null;
  }>(counts.sql, counts.params);
  const periods = new Map<string, LifecyclePeriod>();
  for (const r of rows) {
    let p = periods.get(r.period_start);
    if (!p) {
      p = {
        period_start: r.period_start,
        baseline: periods.size === 0,
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
  const retentionRows = await engine.query<{
    power_users: boolean;
    periods_later: number;
    cohort: number;
    retained: number;
  }>(retention.sql, retention.params);
  return {
    definition: input.definition,
    period: input.period,
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

/** The people in one state in the period starting on `periodStart`. */
export async function lifecyclePeople(
  engine: Engine,
  input: LifecycleInput,
  state: LifecycleState,
  periodStart: string,
): Promise<LifecyclePerson[]> {
  const q = compileLifecyclePeople(input, state, periodStart);
  const rows = await engine.query<Omit<LifecyclePerson, 'segments'> & { segments: string }>(
    q.sql,
    q.params,
  );
  return rows.map((r) => ({ ...r, segments: r.segments.split(';').filter(Boolean) }));
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
