import { expect } from 'vitest';

/** Numbers rounded to 1e-9 at any depth: engines may differ in the last bits of a float. */
export function roundNumbers<T>(value: T): T {
  if (typeof value === 'number') return (Math.round(value * 1e9) / 1e9) as T;
  if (Array.isArray(value)) return value.map(roundNumbers) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundNumbers(v)])) as T;
  }
  return value;
}

/** Every engine's answer equals the first one's; returns that answer. */
export function expectAllEqual<T>(answers: readonly T[]): T | undefined {
  const [first, ...rest] = answers;
  for (const r of rest) expect(r).toEqual(first);
  return first;
}
