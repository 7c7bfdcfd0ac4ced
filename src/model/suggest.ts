import { closest, distance } from 'fastest-levenshtein';

/** "did you mean days_active?" for a near miss among known names, else the list of names. */
export function suggestName(input: string, known: readonly string[]): string {
  const best = closest(input, [...known]);
  if (best !== undefined && distance(input, best) <= Math.max(2, Math.floor(best.length / 3))) {
    return `did you mean ${best}?`;
  }
  return `known: ${known.join(', ')}`;
}
