import type { Person } from '../population.js';
import type { Prng } from '../prng.js';
import { WeightedTable } from '../weighted-table.js';
import {
  type Behaviour,
  type BehaviourContext,
  type DayPlan,
  defaultOpener,
  type PlantedTimeline,
} from './behaviour.js';
import { PowerBehaviour } from './power.js';

const DECLINE_DAYS = 7;
/** Keeps them clearly below any frequency bar in the trailing 30 days. */
const MAX_ACTIVE_IN_LAST_30 = 8;

/** A power user until 40-60 days before the end, then a quick decline to rare, thin visits. */
export class FadingBehaviour implements Behaviour {
  readonly preferredHour: number;
  readonly opener = defaultOpener;
  private readonly power: PowerBehaviour;
  private readonly fadeDay: number;
  private readonly lowChance: number;
  private readonly tail: WeightedTable;
  private readonly last30Start: number;
  private activeInLast30 = 0;

  constructor(
    person: Person,
    ctx: BehaviourContext,
    private readonly rng: Prng,
  ) {
    const { days, last30Start } = ctx.calendar;
    this.last30Start = last30Start;
    // They were there before the window opened: no sign-up day inside it.
    this.power = new PowerBehaviour(person, ctx, rng, 0);
    this.preferredHour = this.power.preferredHour;
    // Short windows still show two weeks of power use where they fit, and the decline never
    // reaches into the trailing 30 days.
    const floor = Math.min(14, days - 30 - DECLINE_DAYS - 1);
    this.fadeDay = Math.max(days - rng.int(40, 60), floor, 0);
    this.lowChance = rng.between(0.05, 0.1);
    this.tail = new WeightedTable([
      ['dashboard_viewed', 5],
      ...this.power.favouriteCore.map((e) => [e, 3] as const),
    ]);
  }

  get timeline(): PlantedTimeline {
    return { fadeStart: this.fadeDay, fadedFrom: this.fadeDay + DECLINE_DAYS };
  }

  planDay(day: number): DayPlan | null {
    if (day < this.fadeDay) return this.power.planDay(day);
    const rng = this.rng;
    const declined = (day - this.fadeDay + 1) / (DECLINE_DAYS + 1);
    if (declined < 1) {
      if (!rng.chance(0.85 - declined * (0.85 - this.lowChance))) return null;
      return this.power.activePlan(day, 1 - declined);
    }
    const inLast30 = day >= this.last30Start;
    if (inLast30 && this.activeInLast30 >= MAX_ACTIVE_IN_LAST_30) return null;
    if (!rng.chance(this.lowChance)) return null;
    if (inLast30) this.activeInLast30++;
    return { sessions: 1, bodyEvents: rng.int(0, 3), table: this.tail };
  }
}
