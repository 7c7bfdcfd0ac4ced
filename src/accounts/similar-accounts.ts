/**
 * How much an account's usage looks like that of the accounts richest in power users. Each
 * account is a profile, the share of its active users who used each feature in the window. Every
 * account uses the common features, so profiles are compared by how they differ from the average
 * account: the reference is the mean profile of the accounts in the top quarter by power-user
 * share (at least two active users, at least one power user) minus the average profile, and an
 * account's similarity is the cosine of its own difference from the average with the reference's
 * (a centred cosine, like a correlation: 1 = the same leaning, 0 = unrelated, below 0 = the
 * other way). account-expansion.ts decides which accounts are candidates.
 */
export interface AccountShape {
  account_id: string;
  active_users: number;
  power_users: number;
  power_user_share: number;
}

export function cosine(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [k, v] of a) {
    dot += v * (b.get(k) ?? 0);
    na += v * v;
  }
  for (const v of b.values()) nb += v * v;
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

function meanProfile(
  accounts: readonly AccountShape[],
  profiles: ReadonlyMap<string, ReadonlyMap<string, number>>,
): Map<string, number> {
  const mean = new Map<string, number>();
  for (const a of accounts) {
    for (const [k, v] of profiles.get(a.account_id) ?? []) {
      mean.set(k, (mean.get(k) ?? 0) + v / accounts.length);
    }
  }
  return mean;
}

function difference(
  a: ReadonlyMap<string, number>,
  b: ReadonlyMap<string, number>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const k of new Set([...a.keys(), ...b.keys()]))
    out.set(k, (a.get(k) ?? 0) - (b.get(k) ?? 0));
  return out;
}

/** Accounts with at least this many active users have a usage profile worth comparing. */
export const MIN_PROFILE_USERS = 2;

/** The reference accounts, and every account's similarity with them (MIN_PROFILE_USERS or more). */
export function usageSimilarity(
  accounts: readonly AccountShape[],
  profiles: ReadonlyMap<string, ReadonlyMap<string, number>>,
): { reference: string[]; similarity: Map<string, number> } {
  const eligible = accounts.filter((a) => a.active_users >= MIN_PROFILE_USERS);
  const ranked = eligible
    .filter((a) => a.power_users > 0)
    .sort(
      (x, y) => y.power_user_share - x.power_user_share || x.account_id.localeCompare(y.account_id),
    );
  const reference = ranked.slice(0, Math.ceil(ranked.length / 4));
  const similarity = new Map<string, number>();
  if (reference.length === 0) return { reference: [], similarity };
  const average = meanProfile(eligible, profiles);
  const leaning = difference(meanProfile(reference, profiles), average);
  for (const a of eligible) {
    const own = difference(profiles.get(a.account_id) ?? new Map(), average);
    similarity.set(a.account_id, cosine(own, leaning));
  }
  return { reference: reference.map((a) => a.account_id), similarity };
}
