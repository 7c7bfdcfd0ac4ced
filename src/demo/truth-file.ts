import type { Population } from './population.js';
import { USER_TYPES, type UserType } from './user-types.js';

export interface TruthHeader {
  seed: number;
  users: number;
  days: number;
  end: string;
  events: number;
  aiAssistantReleased: string;
}

/**
 * The planted answer key. One person per line keeps a 300k-user file diffable and readable
 * without pretty-printing megabytes of nesting.
 */
export function truthJson(header: TruthHeader, population: Population): string {
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
    }),
  );
  return `${lines.join('\n')}\n    ${people.join(',\n    ')}\n  ]\n}\n`;
}
