import { addDays } from './days.js';

/**
 * Calendar periods of local days (YYYY-MM-DD): a day, an ISO week (Monday to Sunday) or a month.
 * Periods are made of dates, not instants, so a change of daylight saving time inside one changes
 * nothing here: the rollups already put each event on its local day.
 */
export type PeriodKind = 'day' | 'week' | 'month';
export const PERIOD_KINDS: readonly PeriodKind[] = ['day', 'week', 'month'];

export interface Period {
  start: string;
  /** The last day of the period. */
  end: string;
}

const dayOfWeek = (day: string): number => new Date(`${day}T00:00:00Z`).getUTCDay();

/** The period a day falls in. */
export function periodOf(day: string, kind: PeriodKind): Period {
  if (kind === 'day') return { start: day, end: day };
  if (kind === 'week') {
    const start = addDays(day, -((dayOfWeek(day) + 6) % 7));
    return { start, end: addDays(start, 6) };
  }
  const start = `${day.slice(0, 8)}01`;
  const [y, m] = [Number(day.slice(0, 4)), Number(day.slice(5, 7))];
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return { start, end: addDays(next, -1) };
}

/** Every period from the one holding `from` to the one holding `to`, in order. */
export function periodsBetween(from: string, to: string, kind: PeriodKind): Period[] {
  const out: Period[] = [];
  for (let p = periodOf(from, kind); p.start <= to; p = periodOf(addDays(p.end, 1), kind)) {
    out.push(p);
  }
  return out;
}
