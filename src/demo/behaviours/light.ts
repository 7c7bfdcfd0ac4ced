import { ADVANCED_EVENTS, AI_ASSISTANT_EVENT, CORE_EVENTS } from '../event-vocabulary.js';
import type { Prng } from '../prng.js';
import { type WeightedEntry, WeightedTable } from '../weighted-table.js';
import {
  type Behaviour,
  type BehaviourContext,
  type DayPlan,
  defaultOpener,
  drawStartDay,
} from './behaviour.js';

/** Knobs that separate regular from casual users; both use a few core features now and then. */
export interface LightProfile {
  weekdayChance: number;
  weekendChance: number;
  minBody: number;
  maxBody: number;
  minCore: number;
  maxCore: number;
  keyActionWeight: number;
  /** Chance the user ever touches one advanced feature (and then only rarely). */
  advancedChance: number;
  /** Light collaboration and feedback, far below the advocate threshold. */
  extrasWeight: number;
  /** Chance the user tries the AI assistant, late after its release. */
  aiChance: number;
}

export const REGULAR: LightProfile = {
  weekdayChance: 0.42,
  weekendChance: 0.2,
  minBody: 2,
  maxBody: 9,
  minCore: 3,
  maxCore: 4,
  keyActionWeight: 0.3,
  advancedChance: 0.25,
  extrasWeight: 0.05,
  aiChance: 0.2,
};

export const CASUAL: LightProfile = {
  weekdayChance: 0.09,
  weekendChance: 0.04,
  minBody: 0,
  maxBody: 3,
  minCore: 1,
  maxCore: 2,
  keyActionWeight: 0.05,
  advancedChance: 0,
  extrasWeight: 0,
  aiChance: 0,
};

function lightEntries(p: LightProfile, rng: Prng): WeightedEntry[] {
  const entries: WeightedEntry[] = [
    ['dashboard_viewed', 5],
    ['report_exported', p.keyActionWeight],
    ['project_completed', p.keyActionWeight * 0.6],
    ['teammate_invited', p.extrasWeight],
    ['dashboard_shared', p.extrasWeight * 1.5],
    ['feature_requested', p.extrasWeight],
    ['bug_reported', p.extrasWeight],
  ];
  for (const e of rng.sample(CORE_EVENTS, rng.int(p.minCore, p.maxCore))) {
    entries.push([e, rng.between(3, 8)]);
  }
  if (rng.chance(p.advancedChance)) entries.push([rng.pick(ADVANCED_EVENTS), 0.04]);
  return entries;
}

/** Regular and casual users: one short session on some days, a handful of core features. */
export class LightBehaviour implements Behaviour {
  readonly preferredHour: number;
  readonly opener = defaultOpener;
  private readonly startDay: number;
  private readonly before: WeightedTable;
  private readonly after: WeightedTable;
  private readonly adoptDay: number;
  private readonly weekend: Uint8Array;

  constructor(
    private readonly profile: LightProfile,
    ctx: BehaviourContext,
    private readonly rng: Prng,
  ) {
    const { days, releaseDay, weekend } = ctx.calendar;
    this.weekend = weekend;
    this.preferredHour = rng.between(7, 19);
    this.startDay = drawStartDay(rng, 0.4, days - 1);
    const entries = lightEntries(profile, rng);
    this.adoptDay = rng.chance(profile.aiChance)
      ? releaseDay + rng.int(5, 20)
      : Number.POSITIVE_INFINITY;
    this.before = new WeightedTable(entries);
    this.after = new WeightedTable([...entries, [AI_ASSISTANT_EVENT, 1.5]]);
  }

  planDay(day: number): DayPlan | null {
    const p = this.profile;
    if (day < this.startDay) return null;
    const chance = this.weekend[day] === 1 ? p.weekendChance : p.weekdayChance;
    // Signing up counts as activity, so every user appears in the data.
    if (day !== this.startDay && !this.rng.chance(chance)) return null;
    return {
      sessions: 1,
      bodyEvents: this.rng.int(p.minBody, p.maxBody),
      table: day >= this.adoptDay ? this.after : this.before,
    };
  }
}
