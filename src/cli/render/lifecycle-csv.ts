import type { LifecyclePerson, LifecycleReport } from '../../lifecycle/lifecycle-report.js';
import { LIFECYCLE_STATES } from '../../sql/compile-lifecycle.js';

/**
 * Every period and state with its count (the header first), for a spreadsheet's pivot table. The
 * first period is the baseline: with no period before it, its states are empty, not 0.
 */
export function periodStateRows(report: LifecycleReport): unknown[][] {
  const rows: unknown[][] = [
    ['period_start', 'state', 'users', 'active_users', 'power_users', 'baseline'],
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
      ]);
    }
  }
  return rows;
}

/** The people in a state, one row each (the header first); segments joined by ';'. */
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
    ]),
  ];
}
