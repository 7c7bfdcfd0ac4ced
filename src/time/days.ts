const DAY_MS = 86_400_000;

/**
 * The calendar powerlens works in. Product analytics has no events before 1970 or centuries
 * ahead, and dates far outside this range break arithmetic that the rest relies on (year 10000
 * is written +010000-01-01, which sorts before 9999-12-31).
 */
export const FIRST_DAY = '1970-01-01';
export const LAST_DAY = '2199-12-31';

/** Adds whole days to a calendar date written YYYY-MM-DD (no time zone involved). */
export function addDays(day: string, delta: number): string {
  const t = Date.parse(`${day}T00:00:00Z`) + delta * DAY_MS;
  const out = new Date(t);
  if (Number.isNaN(t) || out.getUTCFullYear() < 1 || out.getUTCFullYear() > 9999) {
    throw new RangeError(`${day} ${delta >= 0 ? '+' : '-'} ${Math.abs(delta)} days is not a date`);
  }
  return out.toISOString().slice(0, 10);
}

/**
 * A real calendar date written YYYY-MM-DD (2026-02-30 is not one, though Date.parse takes it),
 * from FIRST_DAY to LAST_DAY.
 */
export function isIsoDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const t = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== value) return false;
  return value >= FIRST_DAY && value <= LAST_DAY;
}

/** What to write instead of a value isIsoDay refuses, for any error message. */
export const DAY_HINT = `use a real date written YYYY-MM-DD, from ${FIRST_DAY} to ${LAST_DAY}`;

/** What to write instead of a window length windowDaysProblem refuses. */
export const WINDOW_HINT = 'use a whole number of days from 1 to 366';

/**
 * What is wrong with a window length, or null when it is a whole number of days from 1 to 366.
 * Worded without the CLI's flag: the API answers with it too.
 */
export function windowDaysProblem(days: number | string): string | null {
  const n = Number(days);
  if (Number.isInteger(n) && n >= 1 && n <= 366) return null;
  return `window ${days}: ${WINDOW_HINT}.`;
}
