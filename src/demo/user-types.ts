/** Planted user types of the demo data and their shares of all users. */
export const USER_TYPES = [
  'power',
  'heavy_shallow',
  'regular',
  'casual',
  'emerging',
  'fading',
] as const;
export type UserType = (typeof USER_TYPES)[number];

export const USER_TYPE_SHARES: Readonly<Record<UserType, number>> = {
  power: 0.1,
  heavy_shallow: 0.08,
  regular: 0.3,
  casual: 0.35,
  emerging: 0.07,
  fading: 0.1,
};

export const ARCHETYPES = ['innovator', 'advocate', 'optimizer'] as const;
export type Archetype = (typeof ARCHETYPES)[number];

/** Fading users were power users before they dropped off, so they keep the habits they had. */
export function hasArchetypes(type: UserType): boolean {
  return type === 'power' || type === 'fading';
}

/**
 * Exact counts per type for `users` (largest remainder), so small populations still get every
 * type in proportion and the truth file matches the shares as closely as integers allow.
 */
export function countByType(users: number): Record<UserType, number> {
  const exact = USER_TYPES.map((t) => users * USER_TYPE_SHARES[t]);
  const counts = exact.map(Math.floor);
  let left = users - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact
    .map((x, i) => ({ i, r: x - Math.floor(x) }))
    .sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left-- <= 0) break;
    counts[i] = (counts[i] ?? 0) + 1;
  }
  const out = {} as Record<UserType, number>;
  USER_TYPES.forEach((t, i) => {
    out[t] = counts[i] ?? 0;
  });
  return out;
}
