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

export const CHAMPION = /^(\S+) did \d+%/;

/** Every account signal of the weekly walk: signal → account → the as-of days it was raised. */
export function signalsByWeek(o: Observed): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  for (const week of o.accountWeeks) {
    for (const a of week.accounts) {
      for (const s of a.signals) {
        // A silent champion is one finding per (account, champion), not per account.
        const who =
          s.signal === 'champion_silent'
            ? (s.user_id ?? CHAMPION.exec(s.explanation)?.[1] ?? '?')
            : '';
        const key = who ? `${a.account_id} ${who}` : a.account_id;
        const bySubject = out.get(s.signal) ?? new Map<string, string[]>();
        const days = bySubject.get(key) ?? [];
        if (!days.includes(week.as_of)) days.push(week.as_of);
        bySubject.set(key, days);
        out.set(s.signal, bySubject);
      }
    }
  }
  return out;
}

export function accountVerdicts(o: Observed): Verdict[] {
  const bySignal = signalsByWeek(o);
  const flagged = (s: string) => bySignal.get(s) ?? new Map<string, string[]>();
  const lastDay = o.accountWeeks.at(-1);
  const accountsAtLastDay = (s: string) =>
    new Set(
      (lastDay?.accounts ?? [])
        .filter((a) => a.signals.some((x) => x.signal === s))
        .map((a) => a.account_id),
    );
  const atLastDay = (s: string) => accountsAtLastDay(s).size;
  const person = new Map(o.truth.people.map((p) => [p.user_id, p]));
  const scenarios = o.truth.account_scenarios ?? [];
  const plantedNote =
    scenarios.length === 0
      ? 'the generator plants no account-level scenario'
      : `${scenarios.length} account scenarios planted (not read yet)`;
  const powerHeavy = new Set(
    (o.truth.planted_accounts ?? []).filter((a) => a.power_heavy).map((a) => a.account_id),
  );
  // The two smallest of the generator's plans (src/demo/accounts.ts: free, team, business,
  // enterprise).
  const smallPlan = new Set(
    (o.truth.planted_accounts ?? [])
      .filter((a) => a.plan === 'free' || a.plan === 'team')
      .map((a) => a.account_id),
  );

  // Derived from person-level truth: accounts whose planted power-like users (power and fading)
  // are all fading lost them; the loss can be seen when one of them was a power user in the data.
  const byAccount = new Map<string, { power: number; fading: TruthPerson[] }>();
  for (const p of o.truth.people) {
    const a = byAccount.get(p.account_id) ?? { power: 0, fading: [] };
    if (p.type === 'power') a.power++;
    if (p.type === 'fading') a.fading.push(p);
    byAccount.set(p.account_id, a);
  }
  const allFade = new Map([...byAccount].filter(([, a]) => a.power === 0 && a.fading.length > 0));
  const visibleLoss = new Set(
    [...allFade].filter(([, a]) => a.fading.some((p) => p.power_until)).map(([id]) => id),
  );
  const lost = flagged('lost_power_users');
  const lostTp = [...lost.keys()].filter((a) => allFade.has(a));
  // From the last planted fade start in the account to the first week it was flagged.
  const lostLag = lostTp.map((id) => {
    const lastFade = (allFade.get(id)?.fading ?? [])
      .map((p) => p.fade_start ?? '')
      .sort()
      .at(-1) as string;
    return daysBetween(lastFade, (lost.get(id) as string[])[0] as string);
  });
  const lostVerdict = score(
    'account lost_power_users (weekly)',
    new Set(lost.keys()),
    visibleLoss,
    {
      at_last_day: atLastDay('lost_power_users'),
      median_days_last_fade_start_to_flag: median(lostLag),
    },
    `${plantedNote}; derived from person-level truth: an account whose planted power-like users are all fading lost them (planted: those where one of them had power use in the data), one with a planted power user did not`,
  );
  lostVerdict.true_positives = lostTp.length;
  lostVerdict.precision = ratio(lostTp.length, lost.size);

  // On the last day alone: an account whose power-like users all faded stays at risk until it
  // recovers, for a quarter. Planted: those where one of them had power use in the data and the
  // last of them started to fade within the 90 days before the end.
  const lastFadeStart = (id: string) =>
    (allFade.get(id)?.fading ?? [])
      .map((p) => p.fade_start ?? '')
      .sort()
      .at(-1) as string;
  const lostAtEnd = accountsAtLastDay('lost_power_users');
  const recentLoss = new Set(
    [...visibleLoss].filter((id) => daysBetween(lastFadeStart(id), o.truth.end) <= 90),
  );
  const lostEndVerdict = score(
    'account lost_power_users (last day)',
    lostAtEnd,
    recentLoss,
    {},
    `${plantedNote}; derived: planted = accounts whose planted power-like users are all fading, one with power use in the data, the last fade start within 90 days of the end; precision: flagged accounts whose power-like users are all fading`,
  );
  const lostEndTp = [...lostAtEnd].filter((a) => allFade.has(a)).length;
  lostEndVerdict.true_positives = lostEndTp;
  lostEndVerdict.precision = ratio(lostEndTp, lostAtEnd.size);

  // A silent champion is a planted change when the champion is a fading user past their fade start.
  const silent = [...flagged('champion_silent')];
  const silentReal = silent.filter(([key, days]) => {
    const p = person.get(key.split(' ')[1] ?? '');
    return p?.type === 'fading' && days.some((d) => d >= (p.fade_start ?? d));
  });
  const champions = silent.map(([key]) => person.get(key.split(' ')[1] ?? '')?.type ?? 'unknown');

  const movers = new Set([
    ...flagged('maven_moved_out').keys(),
    ...flagged('maven_moved_in').keys(),
  ]);
  const expansion = [...flagged('expansion_candidate').keys()];
  const expansionAtEnd = accountsAtLastDay('expansion_candidate');
  const heavySmall = new Set([...powerHeavy].filter((a) => smallPlan.has(a)));
  const expansionEnd = score(
    'account expansion_candidate (last day)',
    expansionAtEnd,
    heavySmall,
    {
      power_heavy_small_plan_among_flagged: [...expansionAtEnd].filter((a) => heavySmall.has(a))
        .length,
      small_plan_among_flagged: [...expansionAtEnd].filter((a) => smallPlan.has(a)).length,
      power_heavy_recall: ratio(
        [...expansionAtEnd].filter((a) => powerHeavy.has(a)).length,
        powerHeavy.size,
      ),
    },
    `${plantedNote}; derived: precision = flagged accounts that are power-heavy (any plan: the demo sends no group call, so the product cannot see plans or seats); recall = power-heavy accounts on the two smallest plans (free, team) that are flagged, the accounts a CSM should call`,
  );
  const expansionEndTp = [...expansionAtEnd].filter((a) => powerHeavy.has(a)).length;
  expansionEnd.true_positives = expansionEndTp;
  expansionEnd.precision = ratio(expansionEndTp, expansionAtEnd.size);
  return [
    lostVerdict,
    lostEndVerdict,
    {
      verdict: 'account champion_silent (weekly)',
      precision: ratio(silentReal.length, silent.length),
      recall: null,
      flagged: silent.length,
      planted: null,
      true_positives: silentReal.length,
      extra: {
        at_last_day: atLastDay('champion_silent'),
        champions_by_type: countBy(champions, (t) => t),
      },
      note: `${plantedNote}; flagged: distinct (account, champion) pairs; derived precision: the champion is a planted fading user flagged on or after their fade start (a planted change), not a casual or regular user's usual gaps. No champion is planted, so no recall`,
    },
    {
      verdict: 'account maven_moved (weekly)',
      precision: movers.size > 0 ? 0 : null,
      recall: null,
      flagged: movers.size,
      planted: 0,
      true_positives: 0,
      extra: { at_last_day: atLastDay('maven_moved_out') + atLastDay('maven_moved_in') },
      note: 'nobody moves between accounts and the demo sends no identify calls: every flag is false',
    },
    {
      verdict: 'account expansion_candidate (weekly)',
      precision: null,
      recall: null,
      flagged: expansion.length,
      planted: null,
      true_positives: null,
      extra: {
        at_last_day: atLastDay('expansion_candidate'),
        power_heavy_among_flagged: expansion.filter((a) => powerHeavy.has(a)).length,
      },
      note: `${plantedNote}: counts only, precision cannot be computed`,
    },
    expansionEnd,
  ];
}

export function measure(o: Observed): Verdict[] {
  const typeOf = new Map(o.truth.people.map((p) => [p.user_id, p.type]));
  const fates = fadingFates(o);
  return [
    powerUsers(o, typeOf),
    ...archetypes(o),
    emerging(o, typeOf),
    lostVerdict(o, fates, typeOf),
    atRiskVerdict(o, fates, typeOf),
    ...accountVerdicts(o),
  ];
}
