import type { Engine } from '../engines/engine.js';
import { compileUserSnapshots } from '../sql/compile-user-snapshots.js';
import type { PeriodKind } from '../time/periods.js';

/**
 * When a user who is not a power user now last was one, from the stored snapshots (docs/
 * lifecycle.md), and what they did then: what `explain` says of a former power user instead of a
 * plain "not yet".
 */
export interface FormerPowerUser {
  period: PeriodKind;
  /** The first days of the first and last period of their last run as a power user. */
  from: string;
  to: string;
  /** The day the last of those periods was scored as of. */
  as_of: string;
  /** Their snapshot then (the last period as a power user). */
  snapshot: {
    score: number;
    days_active: number;
    events: number;
    criteria_met: number;
    criteria_total: number;
  };
}

interface SnapshotRow {
  period_start: string;
  as_of: string | null;
  present: boolean;
  is_power_user: boolean;
  score: number | null;
  criteria_met: number | null;
  criteria_total: number | null;
  days_active: number | null;
  events: number | null;
}

/**
 * The user's last run of consecutive stored periods as a power user, scored as of `asOf` or
 * before (a period they were absent from, or not a power user in, ends a run), or null when the
 * snapshots never had them as one (or there are none).
 */
export async function formerPowerUser(
  engine: Engine,
  options: {
    projectId: string;
    /** The definition's name: snapshots are stored per definition. */
    definition: string;
    period: PeriodKind;
    userId: string;
    asOf: string;
  },
): Promise<FormerPowerUser | null> {
  const { sql, params } = compileUserSnapshots(
    engine.dialect,
    { projectId: options.projectId, definition: options.definition, period: options.period },
    options.userId,
    options.asOf,
  );
  const rows = await engine.query<SnapshotRow>(sql, params);
  let last = rows.length - 1;
  while (last >= 0 && rows[last]?.is_power_user !== true) last -= 1;
  const end = rows[last];
  if (!end?.as_of) return null;
  let first = last;
  while (first > 0 && rows[first - 1]?.is_power_user === true) first -= 1;
  const n = (v: number | null) => Number(v ?? 0);
  return {
    period: options.period,
    from: rows[first]?.period_start ?? end.period_start,
    to: end.period_start,
    as_of: end.as_of,
    snapshot: {
      score: n(end.score),
      days_active: n(end.days_active),
      events: n(end.events),
      criteria_met: n(end.criteria_met),
      criteria_total: n(end.criteria_total),
    },
  };
}

/** "in the weeks of 2026-09-07 to 2026-10-05", "in the week of 2026-09-07". */
export function formerPeriods(f: FormerPowerUser): string {
  return f.from === f.to
    ? `in the ${f.period} of ${f.from}`
    : `in the ${f.period}s of ${f.from} to ${f.to}`;
}

/**
 * "no longer a power user: was one in the weeks of 2026-09-07 to 2026-10-05; since then days
 * active fell from 22 to 6 of 30, events fell from 1,204 to 88, criteria met fell from 6 to 2 of
 * 6; now: ..." with what the user misses now (the verdict sentence after its "not yet: ").
 */
export function formerPowerUserReason(
  f: FormerPowerUser,
  now: { days_active: number; events: number; criteria_met: number },
  windowDays: number,
  notYet: string,
): string {
  const missing = notYet.replace(/^not yet: /, '');
  return `no longer a power user: ${formerPowerUserPhrase(f, now, windowDays)}; now: ${missing}`;
}

/**
 * "was one in the weeks of 2026-09-07 to 2026-10-05; since then days active fell from 22 to 6 of
 * 30, events fell from 1,204 to 88, criteria met fell from 6 to 2 of 6".
 */
export function formerPowerUserPhrase(
  f: FormerPowerUser,
  now: { days_active: number; events: number; criteria_met: number },
  windowDays: number,
): string {
  const when = formerPeriods(f);
  const fmt = (v: number) => v.toLocaleString('en-US');
  const moves = (label: string, then: number, current: number, of = '') =>
    then === current
      ? `${label} still ${fmt(current)}${of}`
      : `${label} ${current < then ? 'fell' : 'rose'} from ${fmt(then)} to ${fmt(current)}${of}`;
  const changes = [
    moves('days active', f.snapshot.days_active, now.days_active, ` of ${windowDays}`),
    moves('events', f.snapshot.events, now.events),
    moves(
      'criteria met',
      f.snapshot.criteria_met,
      now.criteria_met,
      ` of ${f.snapshot.criteria_total}`,
    ),
  ];
  return `was one ${when}; since then ${changes.join(', ')}`;
}
