import type { Prng } from './prng.js';

export const PLANS = ['free', 'team', 'business', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];

export interface Account {
  id: string;
  plan: Plan;
  seats: number;
  /** Accounts where most power users work, as in real B2B data where champions cluster. */
  powerHeavy: boolean;
}

const MAX_SEATS = 25;
const USERS_PER_ACCOUNT = 6;
const POWER_HEAVY_SHARE = 0.3;

// Cumulative plan odds by account size: bigger teams buy bigger plans.
const PLAN_ODDS: ReadonlyArray<{ minSeats: number; odds: readonly number[] }> = [
  { minSeats: 10, odds: [0, 0.2, 0.65, 1] },
  { minSeats: 3, odds: [0.2, 0.7, 0.95, 1] },
  { minSeats: 1, odds: [0.55, 0.9, 1, 1] },
];

function drawPlan(seats: number, rng: Prng): Plan {
  const row = PLAN_ODDS.find((r) => seats >= r.minSeats) ?? PLAN_ODDS[PLAN_ODDS.length - 1];
  const x = rng.float();
  const i = row?.odds.findIndex((c) => x < c) ?? 0;
  return PLANS[i] ?? 'free';
}

/** Seat counts skewed towards small teams (about 4 in 10 are single seats), summing to `users`. */
function drawSeats(users: number, accounts: number, rng: Prng): number[] {
  const seats = Array.from({ length: accounts }, () =>
    Math.min(MAX_SEATS, 1 + Math.floor(MAX_SEATS * rng.float() ** 3.8)),
  );
  let total = seats.reduce((a, b) => a + b, 0);
  while (total !== users) {
    const i = rng.int(0, accounts - 1);
    const n = seats[i] as number;
    if (total > users && n > 1) {
      seats[i] = n - 1;
      total--;
    } else if (total < users && n < MAX_SEATS) {
      seats[i] = n + 1;
      total++;
    }
  }
  return seats;
}

export function buildAccounts(users: number, rng: Prng): Account[] {
  const count = Math.max(1, Math.round(users / USERS_PER_ACCOUNT));
  const width = Math.max(4, String(count).length);
  const seats = drawSeats(users, count, rng);
  const heavy = new Set(rng.sample([...seats.keys()], Math.ceil(count * POWER_HEAVY_SHARE)));
  return seats.map((n, i) => {
    const powerHeavy = heavy.has(i);
    // Power-heavy accounts buy as if they were a size class bigger.
    const plan = drawPlan(powerHeavy ? n * 3 : n, rng);
    return { id: `acct_${String(i + 1).padStart(width, '0')}`, plan, seats: n, powerHeavy };
  });
}
