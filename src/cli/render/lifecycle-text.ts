import pc from 'picocolors';
import type { LifecycleReport, PeopleInState } from '../../lifecycle/lifecycle-report.js';
import { LIFECYCLE_STATES, type LifecycleState } from '../../sql/compile-lifecycle.js';
import { formatCount } from './numbers.js';
import { dimHeader, renderTable } from './table.js';

/** A table's lines: the header dimmed, then its rows. */

/**
 * The lifecycle in the terminal: the `last` periods with their power users and states, then the
 * share of power users and of everyone else still active some periods later.
 */
export function renderLifecycleReport(report: LifecycleReport, last: number): string {
  const shown = report.periods.slice(-last);
  const t = renderTable(
    [
      report.period,
      'active',
      'power',
      'share',
      ...LIFECYCLE_STATES.map((s) => s.replace('_', ' ')),
    ],
    shown.map((p) => [
      p.partial ? `${p.period_start} *` : p.period_start,
      formatCount(p.active_users),
      formatCount(p.power_users),
      `${(p.power_user_share * 100).toFixed(1)}%`,
      ...LIFECYCLE_STATES.map((s) => (p.baseline ? '-' : formatCount(p.states[s]))),
    ]),
  );
  const partial = shown.some((p) => p.partial)
    ? [
        pc.dim(
          `  * partial: the window starts before the first day of data (${report.first_day}), so fewer users pass than will on a full window`,
        ),
      ]
    : [];
  return [
    pc.bold(`Power users per ${report.period} (definition "${report.definition}")`),
    ...dimHeader(t),
    ...partial,
    ...retentionLines(report),
    pc.dim(
      '  The first period is the baseline. People in a state: powerlens lifecycle --state at_risk (or new, lost, emerging, ...)',
    ),
  ].join('\n');
}

/** Retention 1, 2, 4, 8 and 12 periods on, for power users and everyone else (if any). */
function retentionLines(report: LifecycleReport): string[] {
  const share = (group: string, k: number) => {
    const r = report.retention.find((x) => x.group === group && x.periods_later === k);
    return r && r.cohort > 0 ? `${(r.share * 100).toFixed(0)}%` : null;
  };
  const ks = [1, 2, 4, 8, 12].filter((k) => share('power_users', k) !== null);
  if (ks.length === 0) return [];
  const rt = renderTable(
    ['', ...ks.map((k) => `+${k}`)],
    [
      ['power users', ...ks.map((k) => share('power_users', k) ?? '-')],
      ['everyone else', ...ks.map((k) => share('everyone_else', k) ?? '-')],
    ],
  );
  return [
    '',
    pc.bold(`Still active ${report.period}s later (in the definition's window)`),
    ...dimHeader(rt),
  ];
}

/** The people in one state in one period, as a table, each with why. */
export function renderPeopleInState(
  found: PeopleInState,
  state: LifecycleState,
  period: string,
): string {
  const { people } = found;
  const t = renderTable(
    ['user', 'account', 'score', 'before', 'trend', 'segments', 'why'],
    people.map((p) => [
      p.user_id,
      p.account_id,
      String(p.score),
      String(p.previous_score),
      p.trend === null ? 'n/a' : `${p.trend}%`,
      p.segments.join(', '),
      p.reason,
    ]),
  );
  return [
    pc.bold(
      `${formatCount(people.length)} ${state.replace('_', ' ')} in the ${period} of ${found.period_start}`,
    ),
    ...dimHeader(t),
  ].join('\n');
}
