import pc from 'picocolors';
import type { Account } from '../../accounts/account.js';
import type { AccountReport } from '../../accounts/account-report.js';
import { formatCount } from './numbers.js';
import { printable } from './printable.js';
import { dimHeader, renderTable } from './table.js';

const TRAITS = ['name', 'plan', 'seats', 'mrr', 'csm'] as const;

/**
 * The snapshots an account report computes, on stderr: nothing for the routine latest period,
 * else a line saying what is computed and why, then one line per period begun (each snapshot
 * run of the report: the history missing, then the catch-up).
 */
export function accountsProgress(
  period: string,
): (done: number, total: number, start: string) => void {
  const started = performance.now();
  return (done, total, start) => {
    if (total < 2 || done >= total) return;
    const s = ((performance.now() - started) / 1000).toFixed(1);
    if (done === 0) {
      process.stderr.write(
        pc.dim(
          `Computing ${total} ${period}s of snapshots the account signals compare (stored: later runs compute only the latest)\n`,
        ),
      );
    }
    process.stderr.write(pc.dim(`  ${done + 1}/${total} ${start} (${s} s)\n`));
  };
}

/**
 * The account report in the terminal: the first `limit` accounts as a table, then each signal of
 * those with its explanation, and how many more there are.
 */
export function renderAccounts(report: AccountReport, limit: number): string {
  const { accounts } = report;
  const shown = accounts.slice(0, limit);
  const lines = [
    pc.bold(
      `Accounts as of ${report.as_of} (${report.window_days}-day window, definition "${report.definition}")`,
    ),
  ];
  if (!report.compared_periods) {
    lines.push(
      pc.yellow(
        `  The data up to ${report.as_of} hold only one ${report.period}: lost power users, silent champions and movers need two.`,
      ),
    );
  }
  if (report.history_limit)
    lines.push(pc.yellow(`  Shorter history: ${report.history_limit.hint}`));
  const t = accountTable(shown);
  lines.push(...dimHeader(t));
  for (const a of shown.filter((x) => x.signals.length > 0)) {
    for (const s of a.signals) {
      // Risks come first, most at stake first: their rank says so.
      const tag = s.kind === 'risk' ? pc.red(`risk #${a.risk_rank ?? '?'}`) : pc.green('chance');
      lines.push(`  ${tag} ${pc.cyan(a.account_id)}: ${s.explanation}`);
    }
  }
  if (accounts.length > shown.length) {
    lines.push(
      pc.dim(`  ${formatCount(accounts.length - shown.length)} more: --limit N, or --json for all`),
    );
  }
  return lines.join('\n');
}

/**
 * The accounts shown, one row each. Trait columns only when some account shown has them: a
 * project without group calls keeps its table as it was.
 */
function accountTable(shown: readonly Account[]): string[] {
  const has = (k: (typeof TRAITS)[number]) => shown.some((a) => a[k] !== undefined);
  const traitColumns = TRAITS.filter(has);
  const seats = has('seats');
  return renderTable(
    [
      'account',
      ...traitColumns,
      'users',
      'active',
      'power',
      'share',
      ...(seats ? ['of seats'] : []),
      'coverage',
      'signals',
    ],
    shown.map((a) => [
      a.account_id,
      ...traitColumns.map((k) => {
        const v = a[k];
        if (v === undefined) return '';
        return typeof v === 'number' ? v.toLocaleString('en-US') : printable(v, 30);
      }),
      formatCount(a.users),
      formatCount(a.active_users),
      formatCount(a.power_users),
      `${(a.power_user_share * 100).toFixed(0)}%`,
      ...(seats
        ? [
            a.power_user_seat_share === undefined
              ? ''
              : `${(a.power_user_seat_share * 100).toFixed(0)}%`,
          ]
        : []),
      `${(a.catalogue_coverage * 100).toFixed(0)}%`,
      a.signals.map((s) => s.signal.replaceAll('_', ' ')).join(', '),
    ]),
  );
}
