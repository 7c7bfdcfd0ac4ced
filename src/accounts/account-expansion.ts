import type { Accounts } from './account.js';
import type { UsageProfiles } from './account-coverage.js';
import { expansionSentence } from './account-sentences.js';
import { expansionCandidates } from './similar-accounts.js';

/** How expansion candidates are found, as the report states it. */
export const SIMILARITY_METHOD =
  "centred cosine of feature-adoption profiles (each feature's share of the account's active users, less the average account's) with the accounts in the top quarter by power-user share";

/**
 * Flags the expansion candidates (similar-accounts.ts): accounts whose usage leans like that of
 * the accounts richest in power users, by at least `minSimilarity`. Returns how many accounts
 * the others were compared with.
 */
export function expansionSignals(
  accounts: Accounts,
  profiles: UsageProfiles,
  minSimilarity: number,
): { referenceAccounts: number } {
  const expansion = expansionCandidates([...accounts.values()], profiles, minSimilarity);
  for (const c of expansion.candidates) {
    accounts.get(c.account_id)?.signals.push({
      signal: 'expansion_candidate',
      kind: 'chance',
      explanation: expansionSentence(expansion.reference.length, c),
    });
  }
  return { referenceAccounts: expansion.reference.length };
}
