const DAY_MS = 86_400_000;

/** Adds whole days to a calendar date written YYYY-MM-DD (no time zone involved). */
export function addDays(day: string, delta: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + delta * DAY_MS).toISOString().slice(0, 10);
}

/** A real calendar date written YYYY-MM-DD (2026-02-30 is not one, though Date.parse takes it). */
export function isIsoDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const t = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === value;
}

/** What is wrong with a window length, or null when it is a whole number of days from 1 to 366. */
export function windowDaysProblem(days: number | string): string | null {
  const n = Number(days);
  if (Number.isInteger(n) && n >= 1 && n <= 366) return null;
  return `--window ${days}: use a whole number of days from 1 to 366.`;
}
