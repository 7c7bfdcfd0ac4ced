import { readAccountTraits } from '../analysis/explain-traits.js';
import type { Engine } from '../engines/engine.js';
import type { Catalogue } from '../model/catalogue.js';
import type { Definition } from '../model/definition.js';
import { resolveSegments, type Segment } from '../model/segments.js';
import type { PeriodKind } from '../time/periods.js';
import type { Account } from './account.js';
import { accountCoverage } from './account-coverage.js';
import {
  EXPANSION_MIN_SIMILARITY,
  expansionSignals,
  SIMILARITY_METHOD,
} from './account-expansion.js';
import { catchUpSnapshots, horizonPeriods, periodsBefore } from './account-history.js';
import { changeSignals } from './account-signals.js';
import { rankByStake } from './account-stake.js';
import { accountTotals } from './account-totals.js';
import { withTraits } from './account-traits.js';

export type { Account, AccountSignal, AccountSignalKind } from './account.js';

export interface AccountReport {
  as_of: string;
  window_days: number;
  definition: string;
  period: string;
  /** Whether snapshots were there to compare periods (lost, champion, maven need two). */
  compared_periods: boolean;
  /**
   * Snapshot periods this report computed: the history the signals need when it was not stored
   * (the lookback periods, no earlier than the first day with data), and those since the last
   * stored one. 1 when everything was stored but the latest period.
   */
  computed_periods: number;
  /** Periods looked back for power users an account had (lost power users, movers). */
  lookback_periods: number;
  /**
   * When the history computed for this report was bounded (maxHistoryPeriods): the first day the
   * signals could look back to, and how to store the rest. Null when they look back as far as asked.
   */
  history_limit: { from: string; hint: string } | null;
  similarity: { method: string; reference_accounts: number; min_similarity: number };
  accounts: Account[];
}

export interface AccountOptions {
  projectId: string;
  definition: Definition;
  /**
   * The last day of the window: a day with data (resolveAsOf with `withinData`, by the command or
   * route the request entered), as the snapshots brought up to date need.
   */
  asOf: string;
  catalogue?: Catalogue | undefined;
  period: PeriodKind;
  /** The segments stored with the snapshots (default: the built-in ones). */
  segments?: readonly Segment[] | undefined;
  /**
   * Periods looked back for power users an account had (default: a quarter, 90 days, in
   * periods: 13 weeks, 90 days or 3 months; account-history.ts).
   */
  lookbackPeriods?: number | undefined;
  /** A champion is quiet after this many days unseen (default 7). */
  quietDays?: number | undefined;
  /** Centred cosine from which an account's usage looks like the best accounts' (EXPANSION_MIN_SIMILARITY). */
  minSimilarity?: number | undefined;
  /** The most snapshot periods this report may compute to catch up (run-snapshots.ts). */
  maxPeriods?: number | undefined;
  /** The most periods of missing history this report computes (account-history.ts). */
  maxHistoryPeriods?: number | undefined;
  /** Only the accounts with a risk (churn). */
  atRisk?: boolean | undefined;
  /** Only the accounts with a chance (expansion). */
  expansion?: boolean | undefined;
  /** Each snapshot period begun while catching up (the CLI's progress). */
  onProgress?: ((done: number, total: number, period: string) => void) | undefined;
}

/**
 * Every account with its power users, coverage, curve and signals, each explained: the accounts
 * at risk first, most at stake first (account-stake.ts), then the others, most power users first.
 */
export async function accountReport(
  engine: Engine,
  options: AccountOptions,
): Promise<AccountReport> {
  const { asOf, definition } = options;
  const lookbackPeriods = options.lookbackPeriods ?? horizonPeriods(options.period);
  // The periods compared must be current, and reach back over the lookback: the history missing
  // is computed first, then the snapshots since the last stored one. Their last period is scored
  // as of `asOf`, and that scoring (the table `scored`) is the one read here.
  const history = await catchUpSnapshots(engine, {
    projectId: options.projectId,
    definition,
    catalogue: options.catalogue,
    segments: options.segments ?? resolveSegments({}),
    period: options.period,
    asOf,
    maxPeriods: options.maxPeriods,
    maxHistoryPeriods: options.maxHistoryPeriods,
    lookbackPeriods,
    onProgress: options.onProgress,
  });
  const accounts = await accountTotals(engine, options.projectId);
  const profiles = await accountCoverage(
    engine,
    {
      projectId: options.projectId,
      asOf,
      windowDays: definition.window_days,
      catalogue: options.catalogue,
    },
    accounts,
  );
  const compared = await changeSignals(
    engine,
    {
      projectId: options.projectId,
      definition: definition.name,
      period: options.period,
      asOf,
      windowDays: definition.window_days,
      lookbackPeriods,
      quietDays: options.quietDays ?? 7,
    },
    accounts,
  );
  // After the signals, which add the accounts at risk with no active user now.
  const traits = await readAccountTraits(engine, options.projectId, [...accounts.keys()]);
  const minSimilarity = options.minSimilarity ?? EXPANSION_MIN_SIMILARITY;
  const { referenceAccounts } = expansionSignals(accounts, profiles, traits, minSimilarity);
  const ranked = rankByStake(
    [...accounts.values()].map((a) => withTraits(a, traits.get(a.account_id))),
  );
  return {
    as_of: asOf,
    window_days: definition.window_days,
    definition: definition.name,
    period: options.period,
    compared_periods: compared,
    computed_periods: history.computed_periods,
    lookback_periods: lookbackPeriods,
    history_limit:
      history.limited_from === null
        ? null
        : {
            from: history.limited_from,
            hint: `the signals look back to ${history.limited_from}, not ${lookbackPeriods} ${options.period}s: one request computes at most ${options.maxHistoryPeriods} ${options.period}s of history. Store the rest once with powerlens backfill --period ${options.period} --from ${periodsBefore(asOf, lookbackPeriods, options.period)} (or POST /api/v1/snapshots with that from).`,
          },
    similarity: {
      method: SIMILARITY_METHOD,
      reference_accounts: referenceAccounts,
      min_similarity: minSimilarity,
    },
    accounts: ranked.filter(
      (a) =>
        (!options.atRisk || a.signals.some((s) => s.kind === 'risk')) &&
        (!options.expansion || a.signals.some((s) => s.kind === 'chance')),
    ),
  };
}
