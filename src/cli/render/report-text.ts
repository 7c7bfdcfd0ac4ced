import pc from 'picocolors';
import { describeDefinition } from '../../analysis/describe-definition.js';
import type { Report } from '../../analysis/report-types.js';
import { addDays } from '../../time/days.js';
import { renderCurve } from './curve-bars.js';
import { formatCount, formatNumber } from './numbers.js';
import { dimHeader, renderTable } from './table.js';
import { renderWarnings } from './warnings-text.js';

const n = formatNumber;
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

function whatIfLines(r: Report, changes: readonly string[]): string[] {
  const w = r.what_if;
  if (!w) return [];
  const delta = w.after.power_users - w.before.power_users;
  const out = [
    pc.bold(`What if ${changes.join(', ')}`),
    `  power users ${n(w.before.power_users)} (${pct(w.before.power_user_share)}) -> ${pc.bold(n(w.after.power_users))} (${pct(w.after.power_user_share)}), ${delta >= 0 ? '+' : ''}${n(delta)}`,
    `  ${pc.green(`${n(w.entering)} would enter`)}${w.entering_users.length ? `: ${w.entering_users.slice(0, 8).join(', ')}${w.entering > 8 ? ', ...' : ''}` : ''}`,
    `  ${pc.red(`${n(w.leaving)} would leave`)}${w.leaving_users.length ? `: ${w.leaving_users.slice(0, 8).join(', ')}${w.leaving > 8 ? ', ...' : ''}` : ''}`,
    '',
  ];
  return out;
}

export function renderReport(r: Report, changes: readonly string[] = []): string {
  const out: string[] = [];
  const t = r.totals;
  out.push(pc.bold(`Power users — project ${r.project_id}, ${r.window_days} days to ${r.as_of}`));
  out.push('');
  out.push(...whatIfLines(r, changes));
  const span = t.first_day ? ` from ${t.first_day} to ${t.last_day}` : '';
  out.push(
    `  ${n(t.active_users)} active users in the window, of ${n(t.users)} known users (${n(t.accounts)} accounts, ${n(t.events)} events${span})`,
  );
  if (t.active_users === 0) {
    out.push(
      pc.yellow(
        t.last_day
          ? `  nobody was active in this window: the data runs from ${t.first_day} to ${t.last_day}; try --as-of ${t.last_day}`
          : '  this project has no data yet: import events first (powerlens import FILE)',
      ),
    );
  } else if (t.first_day && t.first_day > addDays(r.as_of, 1 - r.window_days)) {
    out.push(
      pc.yellow(
        `  the data starts on ${t.first_day}, inside this ${r.window_days}-day window: day-count thresholds may be out of reach (try a shorter --window)`,
      ),
    );
  }
  out.push(
    `  ${pc.bold(pc.cyan(`${n(t.power_users)} power users`))} = ${pct(t.power_user_share)} of active users`,
  );
  out.push(...renderWarnings(r.warnings));
  const c = r.concentration;
  if (c.total > 0) {
    out.push(
      `  key actions: the top ${c.top.map((x) => `${x.top_percent}% make ${pct(x.share)}`).join(', ')} (Gini ${c.gini.toFixed(2)})`,
    );
  }
  out.push('');
  const legend = `${pc.cyan('█')} power users  ${pc.dim('░')} everyone else`;
  out.push(`${pc.bold(`Power User Curve (L${r.window_days}): users by days active`)}   ${legend}`);
  out.push(renderCurve(r.curves.l30));
  out.push('');
  out.push(pc.bold('L7: users by days active in the last 7 days'));
  out.push(renderCurve(r.curves.l7));
  out.push('');
  out.push(pc.bold('Power users against everyone else (median, mean)'));
  const rows = r.power_vs_everyone_else.map((s) => [
    s.signal,
    n(s.power_users_median),
    n(s.power_users_mean),
    n(s.everyone_else_median),
    n(s.everyone_else_mean),
  ]);
  const table = renderTable(['', 'power: median', 'mean', 'others: median', 'mean'], rows);
  out.push(...dimHeader(table));
  out.push('');
  const adoption = r.feature_adoption.filter((f) => f.kind !== 'login').slice(0, 10);
  if (adoption.length > 0) {
    out.push(pc.bold('Features power users adopt most, against everyone else'));
    const ft = renderTable(
      ['', 'kind', 'power users', 'everyone else'],
      adoption.map((f) => [f.label, f.kind, pct(f.power_users_share), pct(f.everyone_else_share)]),
    );
    out.push(...dimHeader(ft));
    out.push('');
  }
  if (r.segments.length > 0) {
    out.push(pc.bold('Segments of the power users (a user may be in several, or none)'));
    const st = renderTable(
      ['', 'power users', 'share', 'what it means'],
      r.segments.map((s) => [
        s.label,
        formatCount(s.power_users),
        pct(s.share_of_power_users),
        s.description,
      ]),
    );
    out.push(...dimHeader(st));
    out.push('');
  }
  out.push(pc.bold(`Top power users (definition "${r.definition.name}")`));
  if (r.top_power_users.length === 0) out.push('  none in this window');
  for (const u of r.top_power_users) {
    const account = u.account_id ? pc.dim(` @ ${u.account_id}`) : '';
    out.push(`  ${pc.cyan(u.user_id)}${account}  score ${u.score}`);
    out.push(`    ${u.reason}`);
    for (const s of u.segments) out.push(pc.dim(`    ${s.reason}`));
    if (u.no_segment_reason) out.push(pc.dim(`    ${u.no_segment_reason}`));
  }
  out.push('');
  out.push(pc.dim(`  Definition "${r.definition.name}": ${describeDefinition(r.definition)}.`));
  return out.join('\n');
}
