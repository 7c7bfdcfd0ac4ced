import { type Account, buildAccounts, type Plan } from './accounts.js';
import type { Prng } from './prng.js';
import {
  ARCHETYPES,
  type Archetype,
  countByType,
  hasArchetypes,
  USER_TYPES,
  type UserType,
} from './user-types.js';

export const PLATFORMS = ['web', 'ios', 'android'] as const;
export type Platform = (typeof PLATFORMS)[number];

export interface Person {
  index: number;
  userId: string;
  accountId: string;
  plan: Plan;
  type: UserType;
  archetypes: Archetype[];
  /** Where the user works most of the time; a few sessions happen elsewhere. */
  platform: Platform;
}

export interface Population {
  people: Person[];
  accounts: Account[];
}

/** Share of power (and formerly power) users seated in power-heavy accounts. */
const POWER_IN_HEAVY_ACCOUNTS = 0.85;

function drawArchetypes(rng: Prng): Archetype[] {
  const chosen = new Set(rng.sample(ARCHETYPES, rng.chance(0.35) ? 2 : 1));
  return ARCHETYPES.filter((a) => chosen.has(a));
}

function drawPlatform(rng: Prng): Platform {
  const x = rng.float();
  return x < 0.6 ? 'web' : x < 0.82 ? 'ios' : 'android';
}

/** Seats power-like users mostly in power-heavy accounts, everyone else in what is left. */
function assignAccounts(types: UserType[], accounts: Account[], rng: Prng): number[] {
  const heavy: number[] = [];
  const other: number[] = [];
  accounts.forEach((a, i) => {
    for (let s = 0; s < a.seats; s++) (a.powerHeavy ? heavy : other).push(i);
  });
  rng.shuffle(heavy);
  rng.shuffle(other);
  const seatOf = new Array<number>(types.length).fill(-1);
  types.forEach((t, u) => {
    if (!hasArchetypes(t)) return;
    const preferHeavy = rng.chance(POWER_IN_HEAVY_ACCOUNTS);
    const from = (preferHeavy && heavy.length > 0) || other.length === 0 ? heavy : other;
    seatOf[u] = from.pop() as number;
  });
  const rest = rng.shuffle([...heavy, ...other]);
  types.forEach((_, u) => {
    if (seatOf[u] === -1) seatOf[u] = rest.pop() as number;
  });
  return seatOf;
}

export function buildPopulation(users: number, rng: Prng): Population {
  const counts = countByType(users);
  const types = rng.shuffle(USER_TYPES.flatMap((t) => new Array<UserType>(counts[t]).fill(t)));
  const accounts = buildAccounts(users, rng);
  const seatOf = assignAccounts(types, accounts, rng);
  const width = Math.max(5, String(users).length);
  const people = types.map((type, index): Person => {
    const account = accounts[seatOf[index] as number] as Account;
    return {
      index,
      userId: `u${String(index + 1).padStart(width, '0')}`,
      accountId: account.id,
      plan: account.plan,
      type,
      archetypes: hasArchetypes(type) ? drawArchetypes(rng) : [],
      platform: drawPlatform(rng),
    };
  });
  return { people, accounts };
}
