import type { AccountTraits } from '../analysis/explain-traits.js';
import type { Account } from './account.js';

/** An account with its traits beside its id, and its power users per seat beside per user. */
export function withTraits(a: Account, t: AccountTraits | undefined): Account {
  if (!t) return a;
  const { traits: _all, ...known } = t;
  const seatShare =
    t.seats !== undefined && t.seats > 0 ? { power_user_seat_share: a.power_users / t.seats } : {};
  const { account_id, users, active_users, power_users, power_user_share } = a;
  const { catalogue_coverage, curve, signals } = a;
  return {
    account_id,
    ...known,
    users,
    active_users,
    power_users,
    power_user_share,
    ...seatShare,
    catalogue_coverage,
    curve,
    signals,
  };
}
