/** An account (a company users belong to) as the account report gives it, and its signals. */

export type AccountSignalKind =
  | 'lost_power_users'
  | 'champion_silent'
  | 'maven_moved_out'
  | 'maven_moved_in'
  | 'expansion_candidate';

export interface AccountSignal {
  signal: AccountSignalKind;
  /** Risk (churn) or chance (expansion). */
  kind: 'risk' | 'chance';
  explanation: string;
  /**
   * The first day the signal's condition held, when it has one: for lost power users, the first
   * day of the first period without any; for a silent champion, the first day unseen; for a
   * maven moved (between accounts), the first day of the period after their last as a power
   * user in the account they left.
   */
  since?: string;
  /** The person the signal is about (a silent champion, a maven moved in or out). */
  user_id?: string;
}

export interface Account {
  account_id: string;
  users: number;
  active_users: number;
  power_users: number;
  power_user_share: number;
  /** From the account's group calls, each when known (docs/events.md, "Traits"). */
  name?: string;
  plan?: string;
  seats?: number;
  mrr?: number;
  csm?: string;
  /**
   * Power users per seat it pays for (power_users / seats), when its seats are known: how much
   * of what it bought is used in depth, where power_user_share is of the users who came.
   */
  power_user_seat_share?: number;
  /** Share of the catalogue's (non-login) features its active users used in the window. */
  catalogue_coverage: number;
  /** Users by days active in the window, with the power users among them (L30 for 30 days). */
  curve: { days_active: number; users: number; power_users: number }[];
  signals: AccountSignal[];
  /**
   * Among the accounts with a risk, 1 for the one with most at stake (MRR, else seats, else
   * active users: account-stake.ts); absent without a risk.
   */
  risk_rank?: number;
}

/** The accounts of a report by id, in the report's order. */
export type Accounts = Map<string, Account>;

/** An account with no active user now, and nothing measured yet. */
export function emptyAccount(account_id: string): Account {
  return {
    account_id,
    users: 0,
    active_users: 0,
    power_users: 0,
    power_user_share: 0,
    catalogue_coverage: 0,
    curve: [],
    signals: [],
  };
}

/**
 * Gives an account a signal. An account with no active user now (it lost everyone) is still
 * reported: it is added, after the others.
 */
export function flag(accounts: Accounts, account: string, signal: AccountSignal): void {
  const a = accounts.get(account);
  if (a) a.signals.push(signal);
  else accounts.set(account, { ...emptyAccount(account), signals: [signal] });
}
