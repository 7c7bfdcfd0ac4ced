/** Each verdict's precision and recall against the planted truth, from what the CLI answered. */
import type { TruthPerson } from '../../src/demo/truth-file.js';
import { type AccountsJson, ARCHETYPES, DAY_MS, type Truth, type UsersJson } from './shapes.js';

// ---------------------------------------------------------------------------------------------
// Measures.

export interface Verdict {
  verdict: string;
  /** null when nothing was flagged, or when the truth cannot say (see note). */
  precision: number | null;
  /** null when nothing was planted, or when the truth cannot say (see note). */
  recall: number | null;
  flagged: number;
  planted: number | null;
  true_positives: number | null;
  extra: Record<string, number | string | null | Record<string, number>>;
  note?: string;
}

export const ratio = (n: number, d: number): number | null => (d > 0 ? n / d : null);

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1
    ? (s[mid] as number)
    : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;
export const daysBetween = (from: string, to: string) => dayNumber(to) - dayNumber(from);
export const isoDay = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);

/** Every Sunday after the first day, and the last day. */
export function weeklyAsOf(first: string, last: string): string[] {
  const out: string[] = [];
  for (let d = dayNumber(first) + 1; d < dayNumber(last); d++) {
    if (new Date(d * DAY_MS).getUTCDay() === 0) out.push(isoDay(d));
  }
  out.push(last);
  return out;
}

export function countBy<T>(items: Iterable<T>, key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of items) out[key(t)] = (out[key(t)] ?? 0) + 1;
  return out;
}

/** Precision and recall of a flagged set against a planted set. */
export function score(
  verdict: string,
  flagged: ReadonlySet<string>,
  planted: ReadonlySet<string>,
  extra: Verdict['extra'] = {},
  note?: string,
): Verdict {
  let tp = 0;
  for (const u of flagged) if (planted.has(u)) tp++;
  const v: Verdict = {
    verdict,
    precision: ratio(tp, flagged.size),
    recall: ratio(tp, planted.size),
    flagged: flagged.size,
    planted: planted.size,
    true_positives: tp,
    extra,
  };
  if (note) v.note = note;
  return v;
}

export interface Observed {
  truth: Truth;
  users: UsersJson;
  /** Period start → its last day (as of). */
  periodEnd: Map<string, string>;
  /** Non-baseline period starts, oldest first. */
  periods: string[];
  /** State → user → the period starts they were in that state, oldest first. */
  states: Map<string, Map<string, string[]>>;
  /** `accounts --as-of` each week (Sundays and the last day), oldest first. */
  accountWeeks: AccountsJson[];
  emergingWeeks: number;
}

export function powerUsers(o: Observed, typeOf: Map<string, string>): Verdict {
  const found = new Set(o.users.users.filter((u) => u.is_power_user).map((u) => u.user_id));
  const planted = new Set(o.truth.people.filter((p) => p.type === 'power').map((p) => p.user_id));
  return score('power_user (last day)', found, planted, {
    as_of: o.users.as_of,
    flagged_by_type: countBy(found, (u) => typeOf.get(u) ?? 'unknown'),
  });
}

export function archetypes(o: Observed): Verdict[] {
  const power = o.users.users.filter((u) => u.is_power_user);
  const plantedPower = o.truth.people.filter((p) => p.type === 'power');
  return ARCHETYPES.map((a) => {
    const flagged = new Set(
      power.filter((u) => (u.segments ?? []).some((s) => s.segment === a)).map((u) => u.user_id),
    );
    const planted = new Set(
      plantedPower.filter((p) => p.archetypes.includes(a)).map((p) => p.user_id),
    );
    return score(`segment ${a}`, flagged, planted, {
      power_users_without_segment: power.filter((u) => (u.segments ?? []).length === 0).length,
    });
  });
}

export function emerging(o: Observed, typeOf: Map<string, string>): Verdict {
  const weeks = o.periods.slice(-o.emergingWeeks);
  const inWeeks = new Set(weeks);
  const flagged = new Set<string>();
  for (const [user, ps] of o.states.get('emerging') ?? []) {
    if (ps.some((p) => inWeeks.has(p))) flagged.add(user);
  }
  const planted = new Set(
    o.truth.people.filter((p) => p.type === 'emerging').map((p) => p.user_id),
  );
  return score(`emerging (last ${weeks.length} periods)`, flagged, planted, {
    from: weeks[0] ?? null,
    flagged_by_type: countBy(flagged, (u) => typeOf.get(u) ?? 'unknown'),
  });
}

export interface FadingFate {
  person: TruthPerson;
  /** Days of planted power use inside the data (0 when the data open in their decline). */
  powerDays: number;
  firstLost: string | undefined;
  /** The first at-risk period ending on or after the fade start and before the first loss. */
  firstWarning: string | undefined;
  /**
   * Whether the product called them a power user in some stored period (new, retained,
   * resurrected, at risk, or lost, which follows one): a short history (60 days against a
   * 30-day window) opens with many fading users already too far into their decline to be one.
   */
  seenAsPower: boolean;
}

export function fadingFates(o: Observed): FadingFate[] {
  const first = new Date(dayNumber(o.truth.end) * DAY_MS - (o.truth.days - 1) * DAY_MS)
    .toISOString()
    .slice(0, 10);
  const lost = o.states.get('lost') ?? new Map<string, string[]>();
  const atRisk = o.states.get('at_risk') ?? new Map<string, string[]>();
  const seen = new Set(
    ['new', 'retained', 'resurrected', 'at_risk', 'lost'].flatMap((state) => [
      ...(o.states.get(state) ?? new Map<string, string[]>()).keys(),
    ]),
  );
  return o.truth.people
    .filter((p) => p.type === 'fading')
    .map((person) => {
      const powerDays = person.power_until ? daysBetween(first, person.power_until) + 1 : 0;
      const firstLost = lost.get(person.user_id)?.[0];
      const fadeStart = person.fade_start ?? first;
      const firstWarning = (atRisk.get(person.user_id) ?? []).find(
        (p) => (o.periodEnd.get(p) ?? p) >= fadeStart && (firstLost === undefined || p < firstLost),
      );
      return { person, powerDays, firstLost, firstWarning, seenAsPower: seen.has(person.user_id) };
    });
}

export function lostVerdict(
  o: Observed,
  fates: FadingFate[],
  typeOf: Map<string, string>,
): Verdict {
  const flagged = new Set((o.states.get('lost') ?? new Map()).keys());
  const withPowerUse = new Set(fates.filter((f) => f.powerDays > 0).map((f) => f.person.user_id));
  const latency = fates
    .filter((f) => f.firstLost !== undefined && f.person.fade_start)
    .map((f) =>
      daysBetween(
        f.person.fade_start as string,
        o.periodEnd.get(f.firstLost as string) ?? (f.firstLost as string),
      ),
    );
  const v = score('lost (fading power users)', flagged, withPowerUse, {
    fading_users: fates.length,
    seen_as_power_users: fates.filter((f) => f.seenAsPower).length,
    median_power_days_in_data: median(fates.map((f) => f.powerDays)),
    median_days_fade_start_to_lost: median(latency),
    flagged_by_type: countBy(flagged, (u) => typeOf.get(u) ?? 'unknown'),
  });
  // Precision counts every lost fading user, with power use in the data or not.
  let tp = 0;
  for (const u of flagged) if (typeOf.get(u) === 'fading') tp++;
  v.precision = ratio(tp, flagged.size);
  v.note =
    'precision: lost users (any period) that are planted fading; recall: of the fading users with planted power use inside the data';
  return v;
}

export function atRiskVerdict(
  o: Observed,
  fates: FadingFate[],
  typeOf: Map<string, string>,
): Verdict {
  const flagged = new Set((o.states.get('at_risk') ?? new Map()).keys());
  const withPowerUse = fates.filter((f) => f.powerDays > 0);
  const warned = withPowerUse.filter((f) => f.firstWarning !== undefined);
  const leads = warned
    .filter((f) => f.firstLost !== undefined)
    .map((f) => daysBetween(f.firstWarning as string, f.firstLost as string));
  let tp = 0;
  for (const u of flagged) if (typeOf.get(u) === 'fading') tp++;
  const seen = fates.filter((f) => f.seenAsPower);
  return {
    verdict: 'at_risk before lost',
    precision: ratio(tp, flagged.size),
    recall: ratio(warned.length, withPowerUse.length),
    flagged: flagged.size,
    planted: withPowerUse.length,
    true_positives: warned.length,
    extra: {
      recall_of_seen_as_power: ratio(
        seen.filter((f) => f.firstWarning !== undefined).length,
        seen.length,
      ),
      seen_as_power_users: seen.length,
      warned_then_lost: leads.length,
      median_lead_days: median(leads),
      share_lead_7_days_or_more: ratio(leads.filter((d) => d >= 7).length, leads.length),
      flagged_by_type: countBy(flagged, (u) => typeOf.get(u) ?? 'unknown'),
    },
    note: 'precision: at-risk users (any period) that are planted fading; recall: fading users with planted power use inside the data, flagged at risk in a period ending on or after their fade start and before their first loss',
  };
}
