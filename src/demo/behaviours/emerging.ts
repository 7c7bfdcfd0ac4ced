import { ADVANCED_EVENTS, CORE_EVENTS, type EventName } from '../event-vocabulary.js';
import type { Prng } from '../prng.js';
import { type WeightedEntry, WeightedTable } from '../weighted-table.js';
import {
  type Behaviour,
  type BehaviourContext,
  type DayPlan,
  defaultOpener,
  drawStartDay,
  type PlantedTimeline,
} from './behaviour.js';

const RAMP_DAYS = 45;
const STAGES = 5;
/** Keeps them short of the 20-of-30-days frequency bar: rising, not there yet. */
const MAX_ACTIVE_IN_LAST_30 = 17;

/** Casual at first, then over the last ~45 days more often, longer and broader. */
export class EmergingBehaviour implements Behaviour {
  readonly preferredHour: number;
  readonly opener = defaultOpener;
  private readonly startDay: number;
  private readonly rampStart: number;
  private readonly finalChance: number;
  private readonly stages: WeightedTable[];
  private readonly weekend: Uint8Array;
  private readonly days: number;
  private readonly last30Start: number;
  private activeInLast30 = 0;

  constructor(
    ctx: BehaviourContext,
    private readonly rng: Prng,
  ) {
    const { days, weekend, last30Start } = ctx.calendar;
    this.days = days;
    this.weekend = weekend;
    this.last30Start = last30Start;
    this.preferredHour = rng.between(7, 18);
    this.startDay = drawStartDay(rng, 0.6, days - RAMP_DAYS - 1);
    this.rampStart = Math.max(this.startDay, days - RAMP_DAYS);
    this.finalChance = rng.between(0.5, 0.6);
    const core = rng.sample(CORE_EVENTS, rng.int(5, 6));
    const advanced = rng.chance(0.5) ? rng.pick(ADVANCED_EVENTS) : undefined;
    this.stages = Array.from({ length: STAGES }, (_, s) =>
      EmergingBehaviour.stageTable(s / (STAGES - 1), core, advanced),
    );
  }

  /** Breadth grows with the ramp: more core features, key actions, late on an advanced one. */
  private static stageTable(
    progress: number,
    core: readonly EventName[],
    advanced: EventName | undefined,
  ): WeightedTable {
    const inUse = 1 + Math.round(progress * (core.length - 1));
    const entries: WeightedEntry[] = [
      ['dashboard_viewed', 5],
      ['report_exported', progress * 1.5],
      ['project_completed', progress],
    ];
    for (const e of core.slice(0, inUse)) entries.push([e, 5]);
    if (advanced && progress > 0.6) entries.push([advanced, 0.8]);
    return new WeightedTable(entries);
  }

  get timeline(): PlantedTimeline {
    return { climbStart: this.rampStart };
  }

  planDay(day: number): DayPlan | null {
    if (day < this.startDay) return null;
    const rng = this.rng;
    const progress =
      day < this.rampStart ? 0 : (day - this.rampStart + 1) / (this.days - this.rampStart);
    const chance = (0.07 + progress * (this.finalChance - 0.07)) * (this.weekend[day] ? 0.6 : 1);
    const inLast30 = day >= this.last30Start;
    if (inLast30 && this.activeInLast30 >= MAX_ACTIVE_IN_LAST_30) return null;
    if (day !== this.startDay && !rng.chance(chance)) return null;
    if (inLast30) this.activeInLast30++;
    return {
      sessions: rng.chance(progress * 0.4) ? 2 : 1,
      bodyEvents: rng.int(0, 3) + Math.round(progress * rng.int(3, 8)),
      table: this.stages[Math.min(STAGES - 1, Math.floor(progress * STAGES))] as WeightedTable,
    };
  }
}
