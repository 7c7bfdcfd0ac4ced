import { type AccountTraits, readAccountTraits } from '../analysis/explain-traits.js';
import { resolveAsOf } from '../analysis/run-analysis.js';
import { signalsInput, windowUsesTables } from '../analysis/score-users.js';
import type { Engine } from '../engines/engine.js';
import { runSnapshots } from '../lifecycle/run-snapshots.js';
import type { Catalogue } from '../model/catalogue.js';
import type { Definition } from '../model/definition.js';
import { resolveSegments, type Segment } from '../model/segments.js';
import {
  compileAccountCurves,
  compileAccountTotals,
  compileChampionSilent,
  compileDomainMoves,
  compileLostPowerUsers,
  compileMavenMoved,
} from '../sql/compile-accounts.js';
import { compileAccountFeatures } from '../sql/compile-features.js';
import { stageCtes } from '../sql/stage-ctes.js';
import type { PeriodKind } from '../time/periods.js';
import { expansionCandidates } from './similar-accounts.js';

export type AccountSignalKind =
  | 'lost_power_users'
  | 'champion_silent'
  | 'maven_moved_out'
  | 'maven_moved_in'
  | 'expansion_candidate';

export interface AccountSignal {
  signal: AccountSignalKind;
  /** Risk (churn) or chance (expansion). */
  kind: 'risk' | 'chance';
  explanation: string;
}

export interface Account {
  account_id: string;
  users: number;
  active_users: number;
  power_users: number;
  power_user_share: number;
  /** From the account's group calls, each when known (docs/events.md, "Traits"). */
  name?: string;
  plan?: string;
  seats?: number;
  mrr?: number;
  csm?: string;
  /**
   * Power users per seat it pays for (power_users / seats), when its seats are known: how much
   * of what it bought is used in depth, where power_user_share is of the users who came.
   */
  power_user_seat_share?: number;
  /** Share of the catalogue's (non-login) features its active users used in the window. */
  catalogue_coverage: number;
  /** Users by days active in the window, with the power users among them (L30 for 30 days). */
  curve: { days_active: number; users: number; power_users: number }[];
  signals: AccountSignal[];
}

export interface AccountReport {
  as_of: string;
  window_days: number;
  definition: string;
  period: string;
  /** Whether snapshots were there to compare periods (lost, champion, maven need two). */
  compared_periods: boolean;
  similarity: { method: string; reference_accounts: number; min_similarity: number };
  accounts: Account[];
}

export interface AccountOptions {
  projectId: string;
  definition: Definition;
  asOf?: string | undefined;
  catalogue?: Catalogue | undefined;
  period: PeriodKind;
  /** The segments stored with the snapshots (default: the built-in ones). */
  segments?: readonly Segment[] | undefined;
  /** Periods looked back for power users an account had (default 4). */
  lookbackPeriods?: number | undefined;
  /** A champion is quiet after this many days unseen (default 7). */
  quietDays?: number | undefined;
  /** Centred cosine from which an account's usage leans like the reference's (default 0.5). */
  minSimilarity?: number | undefined;
  /** The most snapshot periods this report may compute to catch up (run-snapshots.ts). */
  maxPeriods?: number | undefined;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** Every account with its power users, coverage, curve and signals, each explained. */
export async function accountReport(
  engine: Engine,
  options: AccountOptions,
): Promise<AccountReport> {
  const d = engine.dialect;
  const asOf = await resolveAsOf(engine, options.projectId, options.asOf, true);
  const { definition } = options;
  // The periods compared must be current: the snapshots since the last stored one. Their last
  // period is scored as of `asOf`, and that scoring (the table `scored`) is the one read here.
  await runSnapshots(engine, {
    projectId: options.projectId,
    definition,
    catalogue: options.catalogue,
    segments: options.segments ?? resolveSegments({}),
    period: options.period,
    asOf,
    maxPeriods: options.maxPeriods,
  });
  const p = { p: options.projectId };
  const totals = await engine.query<{
    account_id: string;
    users: number;
    active_users: number;
    power_users: number;
  }>(compileAccountTotals(d).sql, p);
  const accounts = new Map<string, Account>(
    totals.map((t) => [
      t.account_id,
      {
        ...t,
        power_user_share: t.active_users > 0 ? t.power_users / t.active_users : 0,
        catalogue_coverage: 0,
        curve: [],
        signals: [],
      },
    ]),
  );
  for (const c of await engine.query<{
    account_id: string;
    days_active: number;
    users: number;
    power_users: number;
  }>(compileAccountCurves(d).sql)) {
    const { account_id, ...point } = c;
    accounts.get(account_id)?.curve.push(point);
  }

  // Feature use per account: coverage, and the usage profiles compared for expansion.
  const features = compileAccountFeatures({
    ...signalsInput(
      {
        projectId: options.projectId,
        asOf,
        catalogue: options.catalogue,
      },
      d,
    ),
    windowDays: definition.window_days,
    reuse: { ...windowUsesTables('scored'), scored: 'scored' },
  });
  const staged = stageCtes(features.sql, ['user_feature', 'feature_info'], d, 'accounts');
  for (const statement of staged.statements) await engine.run(statement, features.params);
  const profiles = new Map<string, Map<string, number>>();
  for (const f of await engine.query<{
    account_id: string;
    feature: string;
    users: number;
    catalogue_size: number;
  }>(staged.sql, features.params)) {
    const a = accounts.get(f.account_id);
    if (!a) continue;
    const profile = profiles.get(f.account_id) ?? new Map<string, number>();
    profile.set(f.feature, f.users / Math.max(1, a.active_users));
    profiles.set(f.account_id, profile);
    a.catalogue_coverage = profile.size / Math.max(1, f.catalogue_size);
  }
  const minSimilarity = options.minSimilarity ?? 0.5;
  const expansion = expansionCandidates([...accounts.values()], profiles, minSimilarity);
  for (const c of expansion.candidates) {
    accounts.get(c.account_id)?.signals.push({
      signal: 'expansion_candidate',
      kind: 'chance',
      explanation: `uses the product like the ${expansion.reference.length} accounts richest in power users (similarity ${c.similarity.toFixed(2)}), with ${c.power_users} power user(s) among ${c.active_users} active users: room for more`,
    });
  }

  // What changed between snapshot periods.
  const sp = {
    ...p,
    def: definition.name,
    period: options.period,
    lookback: options.lookbackPeriods ?? 4,
    quiet_days: options.quietDays ?? 7,
  };
  const [periods] = await engine.query<{ n: number }>(
    `SELECT ${d.countDistinct('period_start')} AS n FROM user_snapshots
     WHERE project_id = ${d.param('p', 'String')} AND definition = ${d.param('def', 'String')}
       AND period = ${d.param('period', 'String')}`,
    sp,
  );
  const compared = (periods?.n ?? 0) >= 2;
  const flag = (account: string, s: AccountSignal) => {
    const a = accounts.get(account);
    if (a) a.signals.push(s);
    else {
      // An account with no active user now (it lost everyone) is still reported.
      accounts.set(account, {
        account_id: account,
        users: 0,
        active_users: 0,
        power_users: 0,
        power_user_share: 0,
        catalogue_coverage: 0,
        curve: [],
        signals: [s],
      });
    }
  };
  if (compared) {
    for (const r of await engine.query<{
      account_id: string;
      had_power_users: number;
      last_period: string;
    }>(compileLostPowerUsers(d).sql, sp)) {
      flag(r.account_id, {
        signal: 'lost_power_users',
        kind: 'risk',
        explanation: `had ${r.had_power_users} power user(s) until the ${options.period} of ${r.last_period}, none now: churn risk`,
      });
    }
    for (const r of await engine.query<{
      account_id: string;
      user_id: string;
      events_before: number;
      account_events_before: number;
      events_now: number;
      quiet_days: number | null;
    }>(compileChampionSilent(d).sql, sp)) {
      const share = r.events_before / Math.max(1, r.account_events_before);
      const quiet =
        r.quiet_days === null
          ? 'not seen in the window any more'
          : `quiet for ${r.quiet_days} days`;
      flag(r.account_id, {
        signal: 'champion_silent',
        kind: 'risk',
        explanation: `${r.user_id} did ${pct(share)} of the account's events a ${options.period} ago and is ${quiet}`,
      });
    }
    for (const r of await engine.query<{
      user_id: string;
      from_account: string;
      to_account: string;
      last_period_before: string;
    }>(compileMavenMoved(d).sql, sp)) {
      flag(r.from_account, {
        signal: 'maven_moved_out',
        kind: 'risk',
        explanation: `power user ${r.user_id} (here until the ${options.period} of ${r.last_period_before}) now works in account ${r.to_account}`,
      });
      flag(r.to_account, {
        signal: 'maven_moved_in',
        kind: 'chance',
        explanation: `${r.user_id}, a power user in account ${r.from_account} until the ${options.period} of ${r.last_period_before}, now works here`,
      });
    }
  }
  const powerNow = new Map(
    (
      await engine.query<{ user_id: string; account_id: string; is_power_user: boolean }>(
        'SELECT user_id, account_id, is_power_user FROM scored',
      )
    ).map((r) => [r.user_id, r]),
  );
  for (const r of await engine.query<{ user_id: string; from_domain: string; to_domain: string }>(
    compileDomainMoves(d).sql,
    p,
  )) {
    const now = powerNow.get(r.user_id);
    if (!now?.is_power_user || !now.account_id) continue;
    flag(now.account_id, {
      signal: 'maven_moved_in',
      kind: 'chance',
      explanation: `power user ${r.user_id} changed e-mail domain from ${r.from_domain} to ${r.to_domain}: a new employer, or a new team`,
    });
  }
  const traits = await readAccountTraits(engine, options.projectId, [...accounts.keys()]);
  return {
    as_of: asOf,
    window_days: definition.window_days,
    definition: definition.name,
    period: options.period,
    compared_periods: compared,
    similarity: {
      method:
        "centred cosine of feature-adoption profiles (each feature's share of the account's active users, less the average account's) with the accounts in the top quarter by power-user share",
      reference_accounts: expansion.reference.length,
      min_similarity: minSimilarity,
    },
    accounts: [...accounts.values()].map((a) => withTraits(a, traits.get(a.account_id))),
  };
}

/** An account with its traits beside its id, and its power users per seat beside per user. */
function withTraits(a: Account, t: AccountTraits | undefined): Account {
  if (!t) return a;
  const { traits: _all, ...known } = t;
  const seatShare =
    t.seats !== undefined && t.seats > 0 ? { power_user_seat_share: a.power_users / t.seats } : {};
  const { account_id, users, active_users, power_users, power_user_share } = a;
  const { catalogue_coverage, curve, signals } = a;
  return {
    account_id,
    ...known,
    users,
    active_users,
    power_users,
    power_user_share,
    ...seatShare,
    catalogue_coverage,
    curve,
    signals,
  };
}
