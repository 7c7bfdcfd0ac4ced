import pc from 'picocolors';
import type { UserExplanation } from '../../analysis/explain-user.js';
import { printable } from './printable.js';
import { dimHeader, renderTable } from './table.js';
import { renderWarnings } from './warnings-text.js';

/**
 * One user's verdict explained in the terminal: the verdict and its reason, segments, who they
 * are, every criterion (or weighted signal) against its bar, their signals and features used.
 */
export function renderExplanation(u: UserExplanation): string {
  const lines: string[] = [];
  const verdict = u.is_power_user ? pc.cyan('a power user') : 'not a power user';
  const account = u.account_id ? ` @ ${u.account_id}` : '';
  lines.push(
    pc.bold(`${u.user_id}${account} is ${verdict}`) +
      ` — score ${u.score}, definition "${u.definition}", ${u.window_days} days to ${u.as_of}`,
  );
  lines.push(`  ${u.reason}`);
  lines.push(...renderWarnings(u.warnings));
  for (const s of u.segments) lines.push(`  ${pc.magenta('segment')} ${s.reason}`);
  if (u.no_segment_reason) lines.push(`  ${pc.magenta('segment')} ${u.no_segment_reason}`);
  for (const line of traitLines(u)) lines.push(`  ${line}`);
  lines.push('');
  if (u.criteria.length > 0) {
    const rows = u.criteria.map((c) => [
      `${c.passed ? pc.green('✓') : pc.red('✗')} ${c.id}${c.decisive ? '' : pc.dim(' (not deciding)')}`,
      c.signal,
      c.value === null ? 'n/a' : String(c.value),
      c.op === 'top_percent'
        ? `top ${c.threshold}%`
        : `${c.op === 'max' ? '<=' : '>='} ${c.threshold}`,
      `top ${c.top_percent}%`,
    ]);
    const t = renderTable(['criterion', 'signal', 'value', 'needs', 'rank'], rows);
    lines.push(...dimHeader(t));
  } else {
    const t = renderTable(
      ['signal', 'weight', 'value', 'rank'],
      u.contributions.map((c) => [
        c.signal,
        String(c.weight),
        c.value === null ? 'n/a' : String(c.value),
        `top ${c.top_percent}%`,
      ]),
    );
    lines.push(...dimHeader(t));
  }
  lines.push('');
  lines.push(pc.bold('Signals'));
  const signals = Object.entries(u.signals).map(([k, v]) => [
    k,
    v === null ? 'n/a' : v.toLocaleString('en-US'),
  ]);
  for (const line of renderTable(['', ''], signals).slice(1)) lines.push(line);
  lines.push('');
  lines.push(pc.bold(`Features used (${u.features_used.length})`));
  for (const f of u.features_used) {
    lines.push(`  ${f.label.padEnd(28)} ${f.kind.padEnd(9)} ${f.uses.toLocaleString('en-US')}`);
  }
  return lines.join('\n');
}

/** Who the user is and what their account is, from identify and group calls, when known. */
function traitLines(u: UserExplanation): string[] {
  const lines: string[] = [];
  const who = [u.name, u.email ? `<${u.email}>` : undefined].filter(Boolean).join(' ');
  if (who) lines.push(`${pc.dim('user   ')} ${printable(who)}`);
  const a = u.account;
  if (a) {
    const facts = [
      a.plan !== undefined ? `plan ${a.plan}` : undefined,
      a.seats !== undefined ? `${a.seats.toLocaleString('en-US')} seats` : undefined,
      a.mrr !== undefined ? `MRR ${a.mrr.toLocaleString('en-US')}` : undefined,
      a.csm !== undefined ? `CSM ${a.csm}` : undefined,
    ].filter(Boolean);
    const name = a.name ? ` (${a.name})` : '';
    const about = `${a.account_id}${name}${facts.length ? `: ${facts.join(', ')}` : ''}`;
    lines.push(`${pc.dim('account')} ${printable(about)}`);
  }
  const others = Object.entries(u.traits).filter(
    ([k]) => !['email', 'name'].includes(k.toLowerCase()),
  );
  if (others.length > 0) {
    const shown = others
      .slice(0, 8)
      .map(([k, v]) => printable(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`, 60));
    lines.push(`${pc.dim('traits ')} ${shown.join(', ')}${others.length > 8 ? ', ...' : ''}`);
  }
  return lines;
}
