/** Each account signal's explanation, in plain words with its numbers. */

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** An account using the product like the ones richest in power users, with room for more. */
export function expansionSentence(
  referenceAccounts: number,
  c: { similarity: number; power_users: number; active_users: number },
): string {
  return `uses the product like the ${referenceAccounts} accounts richest in power users (similarity ${c.similarity.toFixed(2)}), with ${c.power_users} power user(s) among ${c.active_users} active users: room for more`;
}

/** An account that had power users in the periods looked back, and has none now. */
export function lostPowerUsersSentence(
  r: { had_power_users: number; last_period: string },
  period: string,
): string {
  return `had ${r.had_power_users} power user(s) until the ${period} of ${r.last_period}, none now: churn risk`;
}

/** The user who did most of an account's events a period ago, now quiet or gone. */
export function championSilentSentence(
  r: {
    user_id: string;
    events_before: number;
    account_events_before: number;
    quiet_days: number | null;
  },
  period: string,
): string {
  const share = r.events_before / Math.max(1, r.account_events_before);
  const quiet =
    r.quiet_days === null ? 'not seen in the window any more' : `quiet for ${r.quiet_days} days`;
  return `${r.user_id} did ${pct(share)} of the account's events a ${period} ago and is ${quiet}`;
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
