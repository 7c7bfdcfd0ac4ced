import { readAccountTraits } from '../analysis/explain-traits.js';
import type { Engine } from '../engines/engine.js';
import { runSnapshots } from '../lifecycle/run-snapshots.js';
import type { Catalogue } from '../model/catalogue.js';
import type { Definition } from '../model/definition.js';
import { resolveSegments, type Segment } from '../model/segments.js';
import type { PeriodKind } from '../time/periods.js';
import type { Account } from './account.js';
import { accountCoverage } from './account-coverage.js';
import { expansionSignals, SIMILARITY_METHOD } from './account-expansion.js';
import { changeSignals } from './account-signals.js';
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
  /** Periods looked back for power users an account had (default 4). */
  lookbackPeriods?: number | undefined;
  /** A champion is quiet after this many days unseen (default 7). */
  quietDays?: number | undefined;
  /** Centred cosine from which an account's usage leans like the reference's (default 0.5). */
  minSimilarity?: number | undefined;
  /** The most snapshot periods this report may compute to catch up (run-snapshots.ts). */
  maxPeriods?: number | undefined;
  /** Only the accounts with a risk (churn). */
  atRisk?: boolean | undefined;
  /** Only the accounts with a chance (expansion). */
  expansion?: boolean | undefined;
}

/** Every account with its power users, coverage, curve and signals, each explained. */
export async function accountReport(
  engine: Engine,
  options: AccountOptions,
): Promise<AccountReport> {
  const { asOf, definition } = options;
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
  const minSimilarity = options.minSimilarity ?? 0.5;
  const { referenceAccounts } = expansionSignals(accounts, profiles, minSimilarity);
  const compared = await changeSignals(
    engine,
    {
      projectId: options.projectId,
      definition: definition.name,
      period: options.period,
      lookbackPeriods: options.lookbackPeriods ?? 4,
      quietDays: options.quietDays ?? 7,
    },
    accounts,
  );
  const traits = await readAccountTraits(engine, options.projectId, [...accounts.keys()]);
  return {
    as_of: asOf,
    window_days: definition.window_days,
    definition: definition.name,
    period: options.period,
    compared_periods: compared,
    similarity: {
      method: SIMILARITY_METHOD,
      reference_accounts: referenceAccounts,
      min_similarity: minSimilarity,
    },
    accounts: [...accounts.values()]
      .filter(
        (a) =>
          (!options.atRisk || a.signals.some((s) => s.kind === 'risk')) &&
          (!options.expansion || a.signals.some((s) => s.kind === 'chance')),
      )
      .map((a) => withTraits(a, traits.get(a.account_id))),
  };
}
