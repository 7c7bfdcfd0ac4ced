import type { LifecycleState } from '../sql/compile-lifecycle.js';

/** What a person's lifecycle state is explained with (a LifecyclePerson without its reason). */
export interface StateFacts {
  state: LifecycleState;
  days_active: number;
  days_active_7: number;
  events_7: number;
  baseline_days_active: number;
  baseline_events: number;
  baseline_days: number;
  attainment_history: number[];
}

const percent = (share: number) => `${Math.round(share * 100)}%`;
const oneDecimal = (n: number) => (Math.round(n * 10) / 10).toString();
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The last 7 days against the user's usual week (their days active and events over the days
 * before, per week): "active on 1 of the last 7 days with 12 events, against 5.9 days and 150
 * events a week over the 4 weeks before (events -92%)".
 */
export function recentAgainstUsual(f: StateFacts): string {
  const recent = `active on ${f.days_active_7} of the last 7 days with ${plural(f.events_7, 'event')}`;
  if (f.baseline_days === 0) return `${recent}, with no days before them to compare with`;
  const perWeek = 7 / f.baseline_days;
  const usualEvents = f.baseline_events * perWeek;
  const span = f.baseline_days === 28 ? '4 weeks' : plural(f.baseline_days, 'day');
  const change =
    usualEvents > 0
      ? ` (events ${f.events_7 >= usualEvents ? '+' : ''}${Math.round((f.events_7 / usualEvents - 1) * 100)}%)`
      : '';
  return `${recent}, against ${oneDecimal(f.baseline_days_active * perWeek)} days and ${oneDecimal(usualEvents)} events a week over the ${span} before${change}`;
}

/** Why a person is in their state, in one sentence with the numbers that decided it. */
export function stateReason(f: StateFacts, period: string): string {
  switch (f.state) {
    case 'at_risk':
      return `still a power user, but ${recentAgainstUsual(f)}`;
    case 'retained':
      return `a power user now and in the ${period} before; ${recentAgainstUsual(f)}`;
    case 'new':
      return 'a power user for the first time in the stored snapshots';
    case 'resurrected':
      return `a power user again, after at least one ${period} without`;
    case 'lost':
      return f.days_active > 0
        ? `a power user in the ${period} before, not now: active on ${plural(f.days_active, 'day')} of the window`
        : `a power user in the ${period} before, not active in the window any more`;
    case 'emerging': {
      const n = f.attainment_history.length - 1;
      return `not yet a power user, but closer to the definition in each of the last ${plural(n, period)}: ${f.attainment_history.map(percent).join(' → ')} of the way (100% = a power user)`;
    }
  }
}
