import type { DemoCalendar } from '../demo-calendar.js';
import type { EventName } from '../event-vocabulary.js';
import type { Platform } from '../population.js';
import type { Prng } from '../prng.js';
import type { WeightedTable } from '../weighted-table.js';

/** What a user does on one active day; the row writer turns it into timed sessions. */
export interface DayPlan {
  sessions: number;
  /** Events after each session's opener, summed over the day. */
  bodyEvents: number;
  table: WeightedTable;
  /** Emitted first in the day's first session, e.g. an innovator's first try of a new feature. */
  forced?: readonly EventName[];
}

/**
 * Days (indices into the window) on which a user's planted behaviour changes, for the truth file.
 * Read after construction; drawing them is part of the constructor, so recording them changes no
 * event.
 */
export interface PlantedTimeline {
  /** Fading: the first day of the decline; before it they behave as power users. */
  fadeStart?: number;
  /** Fading: the first day of the rare, thin visits that follow the decline. */
  fadedFrom?: number;
  /** Emerging: the first day of the climb (their sign-up day when they join during it). */
  climbStart?: number;
}

export interface Behaviour {
  /** Preferred hour (UTC, fractional) around which the first session of a day starts. */
  readonly preferredHour: number;
  /** Called for every day of the window in order (it may keep state); null = inactive. */
  planDay(day: number): DayPlan | null;
  /** Event that opens a session, or null when the session starts straight with work. */
  opener(platform: Platform, session: number): EventName | null;
  /** When the planted behaviour changes, for behaviours that change (fading, emerging). */
  readonly timeline?: PlantedTimeline;
}

export interface BehaviourContext {
  calendar: DemoCalendar;
}

/** Web users log in once a day and stay logged in; mobile sessions start by opening the app. */
export function defaultOpener(platform: Platform, session: number): EventName | null {
  if (platform !== 'web') return 'app_opened';
  return session === 0 ? 'login' : null;
}

/** Tenure: a share of users predate the window, the rest sign up on a day in [0, latest]. */
export function drawStartDay(rng: Prng, shareBefore: number, latest: number): number {
  if (latest <= 0 || rng.chance(shareBefore)) return 0;
  return rng.int(0, latest);
}
