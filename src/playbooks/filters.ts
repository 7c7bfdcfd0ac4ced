import { type AccountTraits, normaliseKey } from '../analysis/explain-traits.js';
import type { Filters } from '../model/playbook.js';
import type { UserPair } from './trigger-change.js';

/**
 * The filters, on the user now: in at least one of the segments; the stored score in the range
 * (0 for a user absent from the snapshot, not active in the window); for each trait named, the
 * account's value one of those listed (compared as text, so 10 matches "10"). A user with no
 * account, an account with no traits or without that trait does not pass. Case matters.
 */
export function passes(
  filters: Filters,
  user: Pick<UserPair, 'segments' | 'present' | 'score'>,
  account: AccountTraits | undefined,
) {
  if (filters.segments && !filters.segments.some((s) => user.segments.includes(s))) return false;
  const score = user.present ? user.score : 0;
  if (filters.score?.min !== undefined && score < filters.score.min) return false;
  if (filters.score?.max !== undefined && score > filters.score.max) return false;
  return accountTraitsPass(filters.account_traits, account);
}

/**
 * The `account_traits` filter on an account (user and account triggers alike): for each trait
 * named, its value one of those listed, compared as text. No account, or no such trait: fails.
 */
export function accountTraitsPass(
  wanted: Filters['account_traits'],
  account: AccountTraits | undefined,
): boolean {
  for (const [trait, allowed] of Object.entries(wanted ?? {})) {
    const value = account ? traitValue(account, trait) : undefined;
    if (value === undefined || !allowed.some((a) => String(a) === String(value))) return false;
  }
  return true;
}

const KNOWN_TRAITS = ['name', 'plan', 'seats', 'mrr', 'csm'] as const;

/**
 * An account's trait by name: plan, seats, mrr, csm and name as the reports read them (plan from
 * plan, plan_name, tier, ...), any other from the group calls' traits, its spelling compared
 * as normaliseKey does (planTier, plan_tier). Only a text, number or truth value counts.
 */
export function traitValue(
  account: AccountTraits,
  trait: string,
): string | number | boolean | undefined {
  const key = normaliseKey(trait);
  const known = KNOWN_TRAITS.find((k) => k === key);
  const value =
    known && account[known] !== undefined
      ? account[known]
      : Object.entries(account.traits).find(([k]) => normaliseKey(k) === key)?.[1];
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? value
    : undefined;
}
