import { AI_ASSISTANT_RELEASE_DAYS_BEFORE_END } from './event-vocabulary.js';

const DAY_MS = 86_400_000;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The generated window: day 0 is the first day with data, day `days - 1` is `end`. */
export interface DemoCalendar {
  days: number;
  /** 'YYYY-MM-DDT' per day, so timestamps are built by concatenation instead of Date formatting. */
  dayPrefixes: string[];
  weekend: Uint8Array;
  /** Day index on which `ai_assistant_used` is released; negative when before the window. */
  releaseDay: number;
  /** First day of the trailing 30-day window that definitions look at by default. */
  last30Start: number;
}

export function parseIsoDay(day: string): number {
  const ms = ISO_DAY.test(day) ? Date.parse(`${day}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day) {
    throw new Error(`"${day}" is not a calendar date: use YYYY-MM-DD.`);
  }
  return ms;
}

export function aiAssistantReleaseDate(end: string): string {
  const ms = parseIsoDay(end) - AI_ASSISTANT_RELEASE_DAYS_BEFORE_END * DAY_MS;
  return new Date(ms).toISOString().slice(0, 10);
}

export function buildCalendar(end: string, days: number): DemoCalendar {
  const endMs = parseIsoDay(end);
  const firstMs = endMs - (days - 1) * DAY_MS;
  const dayPrefixes: string[] = [];
  const weekend = new Uint8Array(days);
  for (let d = 0; d < days; d++) {
    const date = new Date(firstMs + d * DAY_MS);
    dayPrefixes.push(`${date.toISOString().slice(0, 10)}T`);
    const weekday = date.getUTCDay();
    weekend[d] = weekday === 0 || weekday === 6 ? 1 : 0;
  }
  return {
    days,
    dayPrefixes,
    weekend,
    releaseDay: days - 1 - AI_ASSISTANT_RELEASE_DAYS_BEFORE_END,
    last30Start: Math.max(0, days - 30),
  };
}
