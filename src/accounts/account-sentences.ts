/** Each account signal's explanation, in plain words with its numbers. */

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** An account whose people use the product deeply, like the best accounts, with room to buy more. */
export function expansionSentence(
  referenceAccounts: number,
  c: {
    similarity: number;
    power_users: number;
    active_users: number;
    plan?: string | undefined;
    seats?: number | undefined;
    room: 'small_plan' | 'few_seats' | 'unknown';
  },
): string {
  const room =
    c.room === 'small_plan'
      ? c.plan === undefined
        ? 'it pays no more than the median account: room to sell more'
        : `it is on plan ${c.plan}, one of the smaller plans: room to sell more`
      : c.room === 'few_seats'
        ? `it uses all ${c.seats} of its seats: room to sell more`
        : 'its plan and seats are unknown: check them for room to sell more';
  const verb = c.power_users === 1 ? 'is a power user' : 'are power users';
  return `${c.power_users} of its ${c.active_users} active users ${verb} (${pct(c.power_users / Math.max(1, c.active_users))}) and it uses the product like the ${referenceAccounts} accounts richest in power users (similarity ${c.similarity.toFixed(2)}); ${room}`;
}

/** `n` periods, in words: "1 week", "6 weeks". */
const periods = (n: number, period: string) => `${n} ${period}${n === 1 ? '' : 's'}`;

/** An account that had power users in the periods looked back, and has none since. */
export function lostPowerUsersSentence(
  r: { had_power_users: number; last_period: string; since: string; periods_without: number },
  period: string,
): string {
  const users = r.had_power_users === 1 ? '1 power user' : `${r.had_power_users} power users`;
  return `had ${users} until the ${period} of ${r.last_period} and none since the ${period} of ${r.since} (${periods(r.periods_without, period)}): churn risk`;
}

/** What the champion sentence says: the champion, their share then, and how long unseen. */
export interface SilentChampion {
  user_id: string;
  events_before: number;
  account_events_before: number;
  account_users_before: number;
  was_power_user: boolean;
  /** The last day of the window in which they carried the account. */
  before_as_of: string;
  /** Their last day seen, and the days since it at the end of the latest window. */
  last_seen: string;
  quiet_days: number;
}

/** The user who carried an account in the window before the latest, now quiet or gone. */
export function championSilentSentence(r: SilentChampion, windowDays: number): string {
  const share = r.events_before / Math.max(1, r.account_events_before);
  const who = r.was_power_user ? ', as a power user,' : '';
  return `${r.user_id} did ${pct(share)} of the events of the account's ${r.account_users_before} active users in the ${windowDays} days to ${r.before_as_of}${who} and has not been seen since ${r.last_seen} (${r.quiet_days} days)`;
}

/** A power user moved between accounts. */
export interface MavenMove {
  user_id: string;
  from_account: string;
  to_account: string;
  last_period_before: string;
}

/** Said of the account a power user left. */
export function mavenMovedOutSentence(r: MavenMove, period: string): string {
  return `power user ${r.user_id} (here until the ${period} of ${r.last_period_before}) now works in account ${r.to_account}`;
}

/** Said of the account a power user joined. */
export function mavenMovedInSentence(r: MavenMove, period: string): string {
  return `${r.user_id}, a power user in account ${r.from_account} until the ${period} of ${r.last_period_before}, now works here`;
}

/** Said of the account of a power user whose e-mail domain changed. */
export function domainMoveSentence(r: {
  user_id: string;
  from_domain: string;
  to_domain: string;
}): string {
  return `power user ${r.user_id} changed e-mail domain from ${r.from_domain} to ${r.to_domain}: a new employer, or a new team`;
}
