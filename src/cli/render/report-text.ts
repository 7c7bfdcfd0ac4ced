import pc from 'picocolors';
import type { Report } from '../../analysis/run-analysis.js';
import { renderCurve } from './curve-bars.js';

const n = (v: number): string => v.toLocaleString('en-US', { maximumFractionDigits: 1 });
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

export function renderReport(r: Report): string {
  const out: string[] = [];
  const t = r.totals;
  out.push(pc.bold(`Power users — project ${r.project_id}, ${r.window_days} days to ${r.as_of}`));
  out.push('');
  out.push(
    `  ${n(t.active_users)} active users in the window, of ${n(t.users)} known users (${n(t.accounts)} accounts, ${n(t.events)} events from ${t.first_day} to ${t.last_day})`,
  );
  if (t.active_users === 0) {
    out.push(
      pc.yellow(
        `  nobody was active in this window: the data runs from ${t.first_day} to ${t.last_day}; try --as-of ${t.last_day}`,
      ),
    );
  }
  out.push(
    `  ${pc.bold(pc.cyan(`${n(t.power_users)} power users`))} = ${pct(t.power_user_share)} of active users`,
  );
  const power = r.power_vs_everyone_else.find((g) => g.group === 'power_users');
  if (power && t.power_users > 0) {
    out.push(`  they produce ${pct(power.actions_share)} of all actions in the window`);
  }
  out.push('');
  out.push(
    `${pc.bold(`Power User Curve (L${r.window_days}): users by days active`)}   ${pc.cyan('█')} power users  ${pc.dim('░')} everyone else`,
  );
  out.push(renderCurve(r.curve));
  out.push('');
  out.push(pc.bold('Power users against everyone else (medians)'));
  const header = ['', 'users', 'days active', 'sessions', 'core feat.', 'adv. feat.', 'actions'];
  const rows = r.power_vs_everyone_else.map((g) => [
    g.group === 'power_users' ? 'power users' : 'everyone else',
    n(g.users),
    n(g.median_days_active),
    n(g.median_sessions),
    n(g.median_core_features),
    n(g.median_advanced_features),
    n(g.median_actions),
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const fmtRow = (cells: string[]) =>
    `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')}`;
  out.push(pc.dim(fmtRow(header)));
  for (const row of rows) out.push(fmtRow(row));
  out.push('');
  out.push(pc.bold(`Top power users (definition "${r.definition.name}")`));
  if (r.top_power_users.length === 0) out.push('  none in this window');
  for (const u of r.top_power_users) {
    const account = u.account_id ? pc.dim(` @ ${u.account_id}`) : '';
    out.push(`  ${pc.cyan(u.user_id)}${account}  score ${u.score}`);
    out.push(`    ${u.reason}`);
  }
  out.push('');
  out.push(
    pc.dim(
      `  A power user is ${r.definition.criteria
        .filter((c) => c.required)
        .map((c) => c.label)
        .join(' and ')}, plus at least ${r.definition.min_optional} of: ${r.definition.criteria
        .filter((c) => !c.required)
        .map((c) => c.label)
        .join('; ')}.`,
    ),
  );
  return out.join('\n');
}
