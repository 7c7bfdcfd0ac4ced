import type { EventName } from '../event-vocabulary.js';
import type { Prng } from '../prng.js';
import { WeightedTable } from '../weighted-table.js';
import { type Behaviour, type BehaviourContext, type DayPlan, drawStartDay } from './behaviour.js';

const DASHBOARD_ONLY = new WeightedTable([['dashboard_viewed', 1]]);
/** At most one missed day per this many days, so any 30 days have 28+ active days. */
const MIN_DAYS_BETWEEN_MISSES = 15;

/** Logs in every day, glances at the dashboard, leaves: frequent but not deep. */
export class HeavyShallowBehaviour implements Behaviour {
  readonly preferredHour: number;
  private readonly startDay: number;
  private lastMiss = Number.NEGATIVE_INFINITY;

  constructor(
    ctx: BehaviourContext,
    private readonly rng: Prng,
  ) {
    this.preferredHour = rng.between(7, 18);
    // Present for the whole trailing 30 days, so their pattern is unambiguous.
    this.startDay = drawStartDay(rng, 0.4, ctx.calendar.days - 31);
  }

  planDay(day: number): DayPlan | null {
    if (day < this.startDay) return null;
    if (day > this.startDay && day - this.lastMiss >= MIN_DAYS_BETWEEN_MISSES) {
      if (this.rng.chance(0.04)) {
        this.lastMiss = day;
        return null;
      }
    }
    return { sessions: 1, bodyEvents: this.rng.chance(0.75) ? 1 : 0, table: DASHBOARD_ONLY };
  }

  opener(): EventName {
    return 'login';
  }
}
