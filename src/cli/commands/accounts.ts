import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { EXPANSION_MIN_SIMILARITY } from '../../accounts/account-expansion.js';
import { ACCOUNT_HORIZON_DAYS } from '../../accounts/account-history.js';
import { accountReport } from '../../accounts/account-report.js';
import { toCsv } from '../../analysis/csv-cell.js';
import { resolveAsOf } from '../../analysis/resolve-as-of.js';
import { ENGINE_KINDS } from '../../engines/open-engine.js';
import { snapshotInput } from '../../lifecycle/snapshot-input.js';
import type { PeriodKind } from '../../time/periods.js';
import {
  type GlobalOptions,
  printJson,
  refreshRollups,
  withContext,
  withDataOptions,
} from '../context.js';
import { accountRows } from '../render/accounts-csv.js';
import { accountsProgress, renderAccounts } from '../render/accounts-text.js';
import { parseIsoDay, parsePositiveInt, periodOption } from './parse-options.js';

interface AccountsFlags extends GlobalOptions {
  definition?: string;
  asOf?: string;
  period?: PeriodKind;
  atRisk?: boolean;
  expansion?: boolean;
  lookback?: number;
  quietDays: number;
  minSimilarity: number;
  limit?: number;
  csv?: boolean;
}

function similarity(v: string): number {
  const n = Number(v);
  if (!(n > 0 && n <= 1)) {
    throw new InvalidArgumentError(
      `--min-similarity ${v}: a number above 0 and up to 1, e.g. ${EXPANSION_MIN_SIMILARITY}.`,
    );
  }
  return n;
}

export function registerAccounts(program: Command): void {
  withDataOptions(
    program
      .command('accounts')
      .description(
        'power users per customer account, with churn risks (lost power users, silent champion, maven moved) and expansion candidates, each explained',
      ),
  )
    .option('--definition <name>', 'named definition from the config (default: "default")')
    .option(
      '--as-of <date>',
      'last day of the window (default: last day with data)',
      parseIsoDay('--as-of'),
    )
    .addOption(periodOption('snapshot period compared (default: lifecycle.period)'))
    .option('--at-risk', 'only accounts with a churn risk')
    .option('--expansion', 'only accounts with an expansion chance')
    .option(
      '--lookback <periods>',
      `periods looked back for lost power users and movers (default: a quarter, ${ACCOUNT_HORIZON_DAYS} days: 13 weeks, 90 days or 3 months)`,
      (v) => parsePositiveInt('--lookback', v),
    )
    .option(
      '--quiet-days <days>',
      'days unseen after which a champion is silent',
      (v) => parsePositiveInt('--quiet-days', v),
      7,
    )
    .option(
      '--min-similarity <x>',
      'usage similarity with the accounts richest in power users from which an account is an expansion candidate',
      similarity,
      EXPANSION_MIN_SIMILARITY,
    )
    .option('--limit <n>', 'accounts shown in the terminal (default 30)', (v) =>
      parsePositiveInt('--limit', v),
    )
    .option('--csv', 'print CSV: one row per account (every account, not only --limit)')
    .option('--json', 'print JSON')
    .action(async (opts: AccountsFlags) => {
      await withContext(
        opts,
        async (ctx) => {
          const input = snapshotInput(ctx.config, ctx.projectId, opts);
          await refreshRollups(ctx);
          const report = await accountReport(ctx.engine, {
            ...input,
            // Within the data: the snapshots brought up to date end on it.
            asOf: await resolveAsOf(ctx.engine, ctx.projectId, opts.asOf, true),
            lookbackPeriods: opts.lookback,
            quietDays: opts.quietDays,
            minSimilarity: opts.minSimilarity,
            atRisk: opts.atRisk,
            expansion: opts.expansion,
            onProgress: opts.json ? undefined : accountsProgress(input.period),
          });
          if (opts.json) printJson(report);
          else if (opts.csv) process.stdout.write(toCsv(accountRows(report.accounts)));
          else console.log(renderAccounts(report, opts.limit ?? 30));
        },
        { engines: ENGINE_KINDS },
      );
    });
}
