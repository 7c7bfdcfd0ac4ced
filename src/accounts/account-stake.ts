import type { Account } from './account.js';

/**
 * What an account at risk puts at stake, compared the way a team would: its MRR first (when
 * known: revenue is what churns), then the seats it pays for, then its active users, then the
 * users ever seen. A trait an account lacks ranks it after those that have it.
 */
export function compareStake(x: Account, y: Account): number {
  return (
    (y.mrr ?? -1) - (x.mrr ?? -1) ||
    (y.seats ?? -1) - (x.seats ?? -1) ||
    y.active_users - x.active_users ||
    y.users - x.users ||
    x.account_id.localeCompare(y.account_id)
  );
}

/**
 * The accounts at risk first, most at stake first, each with its `risk_rank` (1, 2, ...); then
 * the others in the order given.
 */
export function rankByStake(accounts: readonly Account[]): Account[] {
  const atRisk = accounts
    .filter((a) => a.signals.some((s) => s.kind === 'risk'))
    .sort(compareStake)
    .map((a, i) => ({ ...a, risk_rank: i + 1 }));
  return [...atRisk, ...accounts.filter((a) => !a.signals.some((s) => s.kind === 'risk'))];
}
