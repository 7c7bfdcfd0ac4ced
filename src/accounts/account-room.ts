/**
 * Whether an account has room to buy more, from its traits (group calls): a small plan or few
 * seats. Plans are names a project chooses, so "small" is read from the accounts on each plan.
 */

/** The traits room is read from, each when known. */
export interface RoomTraits {
  account_id: string;
  active_users: number;
  users: number;
  plan?: string | undefined;
  seats?: number | undefined;
  mrr?: number | undefined;
}

/**
 * Why an account has room to buy more: `small_plan` (its plan is in the cheaper half of the
 * project's plans; without a plan, its MRR is at most the median account's), `few_seats` (at
 * least as many active users as seats: none to spare), or `unknown` (no plan, seats or MRR known:
 * usage alone decides). Null: its traits are known and show neither.
 */
export type Room = 'small_plan' | 'few_seats' | 'unknown';

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/**
 * The plans in the cheaper half: plans ranked by their accounts' median MRR when every plan has
 * an account with one, else by median seats when every plan has seats, else by median users
 * ever seen; the first floor(n / 2) of n plans (none with one plan: nothing to move up to).
 */
export function smallPlans(accounts: readonly RoomTraits[]): Set<string> {
  const byPlan = new Map<string, RoomTraits[]>();
  for (const a of accounts) {
    if (a.plan === undefined) continue;
    byPlan.set(a.plan, [...(byPlan.get(a.plan) ?? []), a]);
  }
  const plans = [...byPlan.keys()];
  const measures: ((a: RoomTraits) => number | undefined)[] = [
    (a) => a.mrr,
    (a) => a.seats,
    (a) => a.users,
  ];
  for (const measure of measures) {
    const size = new Map<string, number>();
    for (const [plan, on] of byPlan) {
      const known = on.map(measure).filter((v): v is number => v !== undefined);
      if (known.length > 0) size.set(plan, median(known));
    }
    if (size.size < plans.length) continue;
    const ranked = plans.sort(
      (x, y) => (size.get(x) as number) - (size.get(y) as number) || x.localeCompare(y),
    );
    return new Set(ranked.slice(0, Math.floor(ranked.length / 2)));
  }
  return new Set();
}

/** Each account's room to buy more (null: none it shows), as the type Room says. */
export function roomToGrow(accounts: readonly RoomTraits[]): Map<string, Room | null> {
  const small = smallPlans(accounts);
  const mrrs = accounts.map((a) => a.mrr).filter((v): v is number => v !== undefined);
  const mrrBar = mrrs.length > 0 ? median(mrrs) : 0;
  const out = new Map<string, Room | null>();
  for (const a of accounts) {
    let room: Room | null = null;
    if (a.plan === undefined && a.seats === undefined && a.mrr === undefined) room = 'unknown';
    else if (a.plan !== undefined ? small.has(a.plan) : a.mrr !== undefined && a.mrr <= mrrBar)
      room = 'small_plan';
    else if (a.seats !== undefined && a.seats > 0 && a.active_users >= a.seats) room = 'few_seats';
    out.set(a.account_id, room);
  }
  return out;
}
