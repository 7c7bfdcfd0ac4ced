import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

const TWO_POW_32 = 0x1_0000_0000;

/**
 * Spreads (seed, stream, index) over 32 bits. xoroshiro128plus seeded with neighbouring integers
 * starts with nearly identical outputs, so per-user generators need well-mixed seeds
 * (murmur3's finaliser).
 */
export function deriveSeed(seed: number, stream: number, index: number): number {
  // Seeds beyond 32 bits keep their high bits instead of colliding with smaller ones.
  const high = Math.floor(seed / 0x1_0000_0000) | 0;
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1 + high, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ Math.imul(index + 1, 0x27d4eb2f), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** Seeded random helpers over pure-rand; mutates in place because the generator is on a hot path. */
export class Prng {
  private readonly rng: RandomGenerator;

  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed);
    // The first outputs still echo the seed; discard them.
    for (let i = 0; i < 8; i++) this.rng.next();
  }

  /** Uniform in [0, 1). */
  float(): number {
    return (this.rng.next() >>> 0) / TWO_POW_32;
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  between(min: number, max: number): number {
    return min + this.float() * (max - min);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.float() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** k distinct items in random order (k is clamped to the list length). */
  sample<T>(items: readonly T[], k: number): T[] {
    return this.shuffle([...items]).slice(0, k);
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }
}
