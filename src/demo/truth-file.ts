import type { PlantedTimeline } from './behaviours/behaviour.js';
import type { Person, Population } from './population.js';
import { USER_TYPES, type UserType } from './user-types.js';

export interface TruthHeader {
  seed: number;
  users: number;
  days: number;
  end: string;
  events: number;
  aiAssistantReleased: string;
}

/** What the truth file needs to date the planted changes. */
export interface TruthTimelines {
  /** 'YYYY-MM-DD' of each day of the window, day 0 first. */
  days: readonly string[];
  /** By user index: when their planted behaviour changes (fading and emerging users only). */
  timelines: ReadonlyMap<number, PlantedTimeline>;
}

/** One person of the truth file's `people`, as written (the timeline fields per planted type). */
export interface TruthPerson {
  user_id: string;
  account_id: string;
  type: UserType;
  archetypes: string[];
  /** Fading users: last day of power use (null when the window opens in their decline). */
  power_until?: string | null;
  fade_start?: string | null;
  faded_from?: string | null;
  /** Emerging users. */
  climb_start?: string | null;
  power_like_from?: null;
}

type TimelineFields = Omit<TruthPerson, 'user_id' | 'account_id' | 'type' | 'archetypes'>;

/** A day of the window as a date; null when it falls outside the window. */
function dateOf(days: readonly string[], day: number | undefined): string | null {
  return day === undefined ? null : (days[day] ?? null);
}

/**
 * When the person's planted behaviour changes, as dates. Fading users: power use until
 * `power_until` (null when the window opens in their decline), a 7-day decline from `fade_start`,
 * rare thin visits from `faded_from` (null when that is after the end). Emerging users: casual use
 * until `climb_start`, then a climb that ends on the last day; `power_like_from` is always null,
 * because they are held below power-user frequency (at most 17 of the trailing 30 days) for the
 * whole window. Other types do not change, and get no fields.
 */
function timelineFields(person: Person, t: TruthTimelines): TimelineFields | undefined {
  const planted = t.timelines.get(person.index);
  if (!planted) return undefined;
  if (person.type === 'fading' && planted.fadeStart !== undefined) {
    return {
      power_until: planted.fadeStart > 0 ? dateOf(t.days, planted.fadeStart - 1) : null,
      fade_start: dateOf(t.days, planted.fadeStart),
      faded_from: dateOf(t.days, planted.fadedFrom),
    };
  }
  if (person.type === 'emerging' && planted.climbStart !== undefined) {
    return { climb_start: dateOf(t.days, planted.climbStart), power_like_from: null };
  }
  return undefined;
}

/**
 * The planted answer key. One person (and one account) per line keeps a 300k-user file diffable
 * and readable without pretty-printing megabytes of nesting.
 *
 * Accounts: the generator plants each account's plan, seat count and whether it is one of the
 * power-heavy accounts (about 30%, holding about 85% of power and fading users). It plants no
 * account-level scenario: nobody moves between accounts, no account loses its power users on
 * purpose, no champion is told to go quiet. `account_scenarios` is empty to say so.
 */
export function truthJson(
  header: TruthHeader,
  population: Population,
  timelines: TruthTimelines = { days: [], timelines: new Map() },
): string {
  const byType = Object.fromEntries(USER_TYPES.map((t) => [t, 0])) as Record<UserType, number>;
  for (const p of population.people) byType[p.type]++;
  const head = {
    seed: header.seed,
    users: header.users,
    days: header.days,
    end: header.end,
    events: header.events,
    accounts: population.accounts.length,
    ai_assistant_released: header.aiAssistantReleased,
    users_by_type: byType,
    account_scenarios: [],
  };
  const lines = [
    '{',
    ...Object.entries(head).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`),
    '  "people": [',
  ];
  const people = population.people.map((p) =>
    JSON.stringify({
      user_id: p.userId,
      account_id: p.accountId,
      type: p.type,
      archetypes: p.archetypes,
      ...timelineFields(p, timelines),
    } satisfies TruthPerson),
  );
  const accounts = population.accounts.map((a) =>
    JSON.stringify({ account_id: a.id, plan: a.plan, seats: a.seats, power_heavy: a.powerHeavy }),
  );
  return `${lines.join('\n')}\n    ${people.join(',\n    ')}\n  ],\n  "planted_accounts": [\n    ${accounts.join(',\n    ')}\n  ]\n}\n`;
}
