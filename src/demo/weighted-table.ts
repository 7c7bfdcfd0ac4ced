import type { EventName } from './event-vocabulary.js';
import type { Prng } from './prng.js';

export type WeightedEntry = readonly [EventName, number];

/** Picks events in proportion to their weights; built once per behaviour phase, used per event. */
export class WeightedTable {
  private readonly events: EventName[] = [];
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(entries: readonly WeightedEntry[]) {
    // Heaviest first so the linear scan usually stops early.
    const sorted = entries.filter(([, w]) => w > 0).sort((a, b) => b[1] - a[1]);
    let sum = 0;
    for (const [event, weight] of sorted) {
      sum += weight;
      this.events.push(event);
      this.cumulative.push(sum);
    }
    if (sum <= 0) throw new Error('a weighted table needs at least one positive weight');
    this.total = sum;
  }

  pick(rng: Prng): EventName {
    const x = rng.float() * this.total;
    const last = this.events.length - 1;
    for (let i = 0; i < last; i++) {
      if (x < (this.cumulative[i] as number)) return this.events[i] as EventName;
    }
    return this.events[last] as EventName;
  }
}
