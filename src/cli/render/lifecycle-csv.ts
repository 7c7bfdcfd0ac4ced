import type { LifecyclePerson, LifecycleReport } from '../../lifecycle/lifecycle-report.js';
import { LIFECYCLE_STATES } from '../../sql/compile-lifecycle.js';

/**
 * Every period and state with its count (the header first), for a spreadsheet's pivot table. The
 * first period is the baseline: with no period before it, its states are empty, not 0; a
 * partial period's window starts before the first day of data.
 */
export function periodStateRows(report: LifecycleReport): unknown[][] {
  const rows: unknown[][] = [
    ['period_start', 'state', 'users', 'active_users', 'power_users', 'baseline', 'partial'],
  ];
  for (const p of report.periods) {
    for (const s of LIFECYCLE_STATES) {
      rows.push([
        p.period_start,
        s,
        p.baseline ? null : p.states[s],
        p.active_users,
        p.power_users,
        p.baseline,
        p.partial,
      ]);
    }
  }
  return rows;
}

/**
 * The people in a state, one row each (the header first); segments joined by ';'. The columns
 * after `segments` were added later, at the end, so scripts reading by position keep working.
 */
export function peopleRows(people: readonly LifecyclePerson[]): unknown[][] {
  return [
    [
      'user_id',
      'account_id',
      'period_start',
      'state',
      'score',
      'previous_score',
      'is_power_user',
      'trend',
      'days_active',
      'segments',
      'days_active_7',
      'events_7',
      'baseline_days_active',
      'baseline_events',
      'baseline_days',
      'attainment',
      'reason',
    ],
    ...people.map((p) => [
      p.user_id,
      p.account_id,
      p.period_start,
      p.state,
      p.score,
      p.previous_score,
      p.is_power_user,
      p.trend,
      p.days_active,
      p.segments.join(';'),
      p.days_active_7,
      p.events_7,
      p.baseline_days_active,
      p.baseline_events,
      p.baseline_days,
      p.attainment,
      p.reason,
    ]),
  ];
}
