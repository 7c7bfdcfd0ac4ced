/** The account signals' precision and recall, derived from the people's planted truth. */
import type { TruthPerson } from '../../src/demo/truth-file.js';
import {
  countBy,
  daysBetween,
  median,
  type Observed,
  ratio,
  score,
  type Verdict,
} from './measures.js';

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
