import type { Accounts } from './account.js';
import type { UsageProfiles } from './account-coverage.js';
import { type RoomTraits, roomToGrow } from './account-room.js';
import { expansionSentence } from './account-sentences.js';
import { MIN_PROFILE_USERS, usageSimilarity } from './similar-accounts.js';

/** How expansion candidates are found, as the report states it. */
export const SIMILARITY_METHOD =
  "centred cosine of feature-adoption profiles (each feature's share of the account's active users, less the average account's) with the accounts in the top quarter by power-user share";

/**
 * The similarity from which an account's usage looks like the best accounts' (the default of
 * `powerlens accounts --min-similarity`, of GET /api/v1/accounts and of docs/lifecycle.md).
 */
export const EXPANSION_MIN_SIMILARITY = 0.5;

/** The share of its active users who are power users from which an account uses the product deeply. */
export const EXPANSION_MIN_POWER_SHARE = 1 / 3;

/**
 * Flags the expansion candidates, the accounts a CSM should call to sell more: a team (at least
 * MIN_PROFILE_USERS active users) whose power users are a large share of its active users (at
 * least EXPANSION_MIN_POWER_SHARE), whose usage looks like that of the accounts richest in power
 * users (similarity at least `minSimilarity`, similar-accounts.ts), and which has room to buy
 * more: a small plan or few seats (account-room.ts), or traits unknown.
 * Returns how many accounts the others were compared with.
 */
export function expansionSignals(
  accounts: Accounts,
  profiles: UsageProfiles,
  traits: ReadonlyMap<string, Omit<RoomTraits, 'account_id' | 'active_users' | 'users'>>,
  minSimilarity: number,
): { referenceAccounts: number } {
  const all = [...accounts.values()];
  const { reference, similarity } = usageSimilarity(all, profiles);
  const room = roomToGrow(all.map((a) => ({ ...traits.get(a.account_id), ...a })));
  const candidates = all.filter(
    (a) =>
      a.active_users >= MIN_PROFILE_USERS &&
      a.power_user_share >= EXPANSION_MIN_POWER_SHARE &&
      (similarity.get(a.account_id) ?? -1) >= minSimilarity &&
      room.get(a.account_id) != null,
  );
  for (const a of candidates) {
    a.signals.push({
      signal: 'expansion_candidate',
      kind: 'chance',
      explanation: expansionSentence(reference.length, {
        ...a,
        ...traits.get(a.account_id),
        similarity: similarity.get(a.account_id) ?? 0,
        room: room.get(a.account_id) ?? 'unknown',
      }),
    });
  }
  return { referenceAccounts: reference.length };
}
