import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import pc from 'picocolors';
import { type Account, accountReport } from '../../accounts/account-report.js';
import { toCsv } from '../../analysis/csv-cell.js';
import { ENGINE_KINDS } from '../../engines/open-engine.js';
import { resolveDefinition } from '../../model/resolve-definition.js';
import { resolveSegments } from '../../model/segments.js';
import type { PeriodKind } from '../../time/periods.js';
import {
  type GlobalOptions,
  printJson,
  refreshRollups,
  withContext,
  withDataOptions,
} from '../context.js';
import { formatCount } from '../render/numbers.js';
import { printable } from '../render/printable.js';
import { renderTable } from '../render/table.js';
import { parseIsoDay, parsePositiveInt, periodOption } from './parse-options.js';

interface AccountsFlags extends GlobalOptions {
  definition?: string;
  asOf?: string;
  period?: PeriodKind;
  atRisk?: boolean;
  expansion?: boolean;
  lookback: number;
  quietDays: number;
  minSimilarity: number;
  limit?: number;
  csv?: boolean;
}

function similarity(v: string): number {
  const n = Number(v);
  if (!(n > 0 && n <= 1)) {
    throw new InvalidArgumentError(
      `--min-similarity ${v}: a number above 0 and up to 1, e.g. 0.5.`,
    );
  }
  return n;
}

const risky = (a: Account) => a.signals.some((s) => s.kind === 'risk');
const chance = (a: Account) => a.signals.some((s) => s.kind === 'chance');

/**
 * One row per account (the header first), the same columns whatever the accounts hold: traits
 * from group calls are empty when unknown, signals are listed by name, risks and chances apart.
 */
function accountRows(accounts: readonly Account[]): unknown[][] {
  const names = (a: Account, kind: 'risk' | 'chance') =>
    a.signals
      .filter((s) => s.kind === kind)
      .map((s) => s.signal)
      .join(';');
  return [
    [
      'account_id',
      'name',
      'plan',
      'seats',
      'mrr',
      'csm',
      'users',
      'active_users',
      'power_users',
      'power_user_share',
      'power_user_seat_share',
      'catalogue_coverage',
      'risks',
      'chances',
    ],
    ...accounts.map((a) => [
      a.account_id,
      a.name,
      a.plan,
      a.seats,
      a.mrr,
      a.csm,
      a.users,
      a.active_users,
      a.power_users,
      a.power_user_share,
      a.power_user_seat_share,
      a.catalogue_coverage,
      names(a, 'risk'),
      names(a, 'chance'),
    ]),
  ];
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
      'periods looked back for lost power users and movers',
      (v) => parsePositiveInt('--lookback', v),
      4,
    )
    .option(
      '--quiet-days <days>',
      'days unseen after which a champion is silent',
      (v) => parsePositiveInt('--quiet-days', v),
      7,
    )
    .option(
      '--min-similarity <x>',
      'usage similarity from which an account is an expansion candidate',
      similarity,
      0.9,
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
          const definition = resolveDefinition(ctx.config, { name: opts.definition });
          const period = opts.period ?? ctx.config.lifecycle.period;
          await refreshRollups(ctx);
          const report = await accountReport(ctx.engine, {
            projectId: ctx.projectId,
            definition,
            asOf: opts.asOf,
            catalogue: ctx.config.catalogue,
            segments: resolveSegments(ctx.config.segments),
            period,
            lookbackPeriods: opts.lookback,
            quietDays: opts.quietDays,
            minSimilarity: opts.minSimilarity,
          });
          const accounts = report.accounts.filter(
            (a) => (!opts.atRisk || risky(a)) && (!opts.expansion || chance(a)),
          );
          if (opts.json) {
            printJson({ ...report, accounts });
            return;
          }
          if (opts.csv) {
            process.stdout.write(toCsv(accountRows(accounts)));
            return;
          }
          console.log(
            pc.bold(
              `Accounts as of ${report.as_of} (${report.window_days}-day window, definition "${report.definition}")`,
            ),
          );
          if (!report.compared_periods) {
            console.log(
              pc.yellow(
                `  Only one ${period} of snapshots: lost power users, silent champions and movers need two (powerlens backfill --from DATE).`,
              ),
            );
          }
          const shown = accounts.slice(0, opts.limit ?? 30);
          // Trait columns only when some account shown has them: a project without group
          // calls keeps its table as it was.
          const has = (k: 'name' | 'plan' | 'seats' | 'mrr' | 'csm') =>
            shown.some((a) => a[k] !== undefined);
          const traitColumns = (['name', 'plan', 'seats', 'mrr', 'csm'] as const).filter(has);
          const seats = has('seats');
          const t = renderTable(
            [
              'account',
              ...traitColumns,
              'users',
              'active',
              'power',
              'share',
              ...(seats ? ['of seats'] : []),
              'coverage',
              'signals',
            ],
            shown.map((a) => [
              a.account_id,
              ...traitColumns.map((k) => {
                const v = a[k];
                if (v === undefined) return '';
                return typeof v === 'number' ? v.toLocaleString('en-US') : printable(v, 30);
              }),
              formatCount(a.users),
              formatCount(a.active_users),
              formatCount(a.power_users),
              `${(a.power_user_share * 100).toFixed(0)}%`,
              ...(seats
                ? [
                    a.power_user_seat_share === undefined
                      ? ''
                      : `${(a.power_user_seat_share * 100).toFixed(0)}%`,
                  ]
                : []),
              `${(a.catalogue_coverage * 100).toFixed(0)}%`,
              a.signals.map((s) => s.signal.replaceAll('_', ' ')).join(', '),
            ]),
          );
          console.log(pc.dim(t[0] ?? ''));
          for (const line of t.slice(1)) console.log(line);
          for (const a of shown.filter((x) => x.signals.length > 0)) {
            for (const s of a.signals) {
              const tag = s.kind === 'risk' ? pc.red('risk') : pc.green('chance');
              console.log(`  ${tag} ${pc.cyan(a.account_id)}: ${s.explanation}`);
            }
          }
          if (accounts.length > shown.length) {
            console.log(
              pc.dim(
                `  ${formatCount(accounts.length - shown.length)} more: --limit N, or --json for all`,
              ),
            );
          }
        },
        { engines: ENGINE_KINDS },
      );
    });
}
