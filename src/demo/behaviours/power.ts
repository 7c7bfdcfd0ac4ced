import {
  ADVANCED_EVENTS,
  AI_ASSISTANT_EVENT,
  BETA_FEATURE_EVENT,
  CORE_EVENTS,
  type EventName,
  OPTIMIZER_EVENTS,
} from '../event-vocabulary.js';
import type { Person } from '../population.js';
import type { Prng } from '../prng.js';
import { type WeightedEntry, WeightedTable } from '../weighted-table.js';
import {
  type Behaviour,
  type BehaviourContext,
  type DayPlan,
  defaultOpener,
  drawStartDay,
} from './behaviour.js';

const NON_OPTIMIZER_ADVANCED = ADVANCED_EVENTS.filter(
  (e) => !(OPTIMIZER_EVENTS as readonly string[]).includes(e),
);

/**
 * Power users' day-to-day weights. Every core and advanced weight is large enough that each
 * chosen feature shows up many times in any 30 days (about 600 events), which is what makes
 * "6+ core and 2+ advanced features" hold for them and not by luck.
 */
function powerEntries(person: Person, core: readonly EventName[], rng: Prng): WeightedEntry[] {
  const is = (a: string) => (person.archetypes as readonly string[]).includes(a);
  const entries: WeightedEntry[] = [
    ['dashboard_viewed', 8],
    ['report_exported', rng.between(4, 6)],
    ['project_completed', rng.between(2.5, 4.5)],
    ['feature_requested', rng.between(0.1, 0.5)],
    ['bug_reported', rng.between(0.1, 0.4)],
  ];
  for (const e of core) entries.push([e, rng.between(3, 10)]);
  if (is('optimizer')) {
    for (const e of OPTIMIZER_EVENTS) entries.push([e, rng.between(1.5, 3)]);
    entries.push([rng.pick(NON_OPTIMIZER_ADVANCED), 1]);
  } else {
    for (const e of rng.sample(NON_OPTIMIZER_ADVANCED, rng.int(2, 3))) {
      entries.push([e, rng.between(1.2, 2.2)]);
    }
    if (rng.chance(0.5)) entries.push([rng.pick(OPTIMIZER_EVENTS), 0.3]);
  }
  const advocate = is('advocate');
  entries.push(['teammate_invited', advocate ? rng.between(0.8, 1.4) : 0.01]);
  entries.push(['dashboard_shared', advocate ? rng.between(1, 1.8) : 0.01]);
  entries.push(['workspace_shared', advocate ? rng.between(0.5, 1) : 0.01]);
  if (is('innovator')) entries.push([BETA_FEATURE_EVENT, rng.between(0.6, 1.2)]);
  return entries;
}

/** Active ~85% of days, 2-4 sessions, 15-40 events, broad and deep feature use. */
export class PowerBehaviour implements Behaviour {
  readonly preferredHour: number;
  /** Two of their core features: what is left of their use when they fade. */
  readonly favouriteCore: EventName[];
  private readonly startDay: number;
  private readonly meanBody: number;
  private readonly before: WeightedTable;
  private readonly after: WeightedTable;
  private readonly adoptDay: number;
  private readonly innovator: boolean;
  private readonly weekend: Uint8Array;
  private triedAi = false;
  readonly opener = defaultOpener;

  constructor(
    person: Person,
    ctx: BehaviourContext,
    private readonly rng: Prng,
    startDay?: number,
  ) {
    const { days, releaseDay, weekend } = ctx.calendar;
    this.weekend = weekend;
    this.preferredHour = rng.between(7, 12);
    // Late joiners still have 35 days, so they are power users by the last 30 days.
    this.startDay = startDay ?? drawStartDay(rng, 0.5, days - 35);
    this.meanBody = rng.between(18, 30);
    const core = rng.sample(CORE_EVENTS, rng.int(6, 9));
    this.favouriteCore = core.slice(0, 2);
    const entries = powerEntries(person, core, rng);
    this.innovator = person.archetypes.includes('innovator');
    // Non-innovators who adopt do so well after the 14-day "innovation" window.
    const adoptsLate = !this.innovator && rng.chance(0.3);
    this.adoptDay = this.innovator
      ? releaseDay + rng.int(0, 3)
      : adoptsLate
        ? releaseDay + rng.int(15, 20)
        : Number.POSITIVE_INFINITY;
    this.before = new WeightedTable(entries);
    this.after = new WeightedTable([
      ...entries,
      [AI_ASSISTANT_EVENT, this.innovator ? rng.between(3, 5) : 1],
    ]);
  }

  isActive(day: number): boolean {
    if (day === this.startDay) return true;
    return this.rng.chance(this.weekend[day] === 1 ? 0.72 : 0.9);
  }

  activePlan(day: number, volume = 1): DayPlan {
    const rng = this.rng;
    const body = Math.round(this.meanBody * rng.between(0.7, 1.3) * volume);
    const plan: DayPlan = {
      sessions: volume < 1 ? rng.int(1, 2) : rng.int(2, 4),
      bodyEvents: Math.min(36, Math.max(volume < 1 ? 2 : 13, body)),
      table: day >= this.adoptDay ? this.after : this.before,
    };
    if (this.innovator && !this.triedAi && day >= this.adoptDay) {
      this.triedAi = true;
      plan.forced = [AI_ASSISTANT_EVENT];
    }
    return plan;
  }

  planDay(day: number): DayPlan | null {
    if (day < this.startDay || !this.isActive(day)) return null;
    return this.activePlan(day);
  }
}
