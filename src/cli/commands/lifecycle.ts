import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import pc from 'picocolors';
import { toCsv } from '../../analysis/csv-cell.js';
import { ENGINE_KINDS } from '../../engines/open-engine.js';
import {
  type LifecycleReport,
  latestSnapshotPeriod,
  lifecyclePeople,
  lifecycleReport,
} from '../../lifecycle/lifecycle-report.js';
import { runSnapshots, type SnapshotRun } from '../../lifecycle/run-snapshots.js';
import { lifecycleRules } from '../../model/lifecycle-config.js';
import { resolveDefinition } from '../../model/resolve-definition.js';
import { resolveSegments } from '../../model/segments.js';
import {
  LIFECYCLE_STATES,
  type LifecycleInput,
  type LifecycleState,
} from '../../sql/compile-lifecycle.js';
import { type PeriodKind, periodOf } from '../../time/periods.js';
import {
  type Context,
  type GlobalOptions,
  printJson,
  refreshRollups,
  withContext,
  withDataOptions,
} from '../context.js';
import { formatCount } from '../render/numbers.js';
import { renderTable } from '../render/table.js';
import { parseIsoDay, periodOption } from './parse-options.js';

interface SnapshotFlags extends GlobalOptions {
  definition?: string;
  period?: PeriodKind;
  asOf?: string;
  from?: string;
}

interface LifecycleFlags extends SnapshotFlags {
  state?: LifecycleState;
  at?: string;
  last?: number;
  csv?: boolean;
}

const period = () => periodOption('day, week or month (default: lifecycle.period, week)');

async function snapshot(ctx: Context, opts: SnapshotFlags): Promise<SnapshotRun> {
  await refreshRollups(ctx);
  const started = performance.now();
  return runSnapshots(ctx.engine, {
    projectId: ctx.projectId,
    definition: resolveDefinition(ctx.config, { name: opts.definition }),
    catalogue: ctx.config.catalogue,
    segments: resolveSegments(ctx.config.segments),
    period: opts.period ?? ctx.config.lifecycle.period,
    from: opts.from,
    asOf: opts.asOf,
    onProgress: opts.json
      ? undefined
      : (done, total, start) => {
          const s = ((performance.now() - started) / 1000).toFixed(1);
          if (done < total)
            process.stderr.write(pc.dim(`  ${done + 1}/${total} ${start} (${s} s)\n`));
        },
  });
}

function printRun(run: SnapshotRun): void {
  const table = renderTable(
    [run.period, 'scored as of', 'active users', 'power users'],
    run.periods.map((p) => [
      p.period_start,
      p.as_of,
      formatCount(p.users),
      formatCount(p.power_users),
    ]),
  );
  console.log(pc.dim(table[0] ?? ''));
  for (const line of table.slice(1)) console.log(line);
  console.log(
    pc.dim(
      `${formatCount(run.periods.length)} period(s) stored for definition "${run.definition}"`,
    ),
  );
}

function lifecycleInput(ctx: Context, opts: SnapshotFlags): LifecycleInput {
  return {
    projectId: ctx.projectId,
    definition: opts.definition ?? ctx.config.default_definition ?? 'default',
    period: opts.period ?? ctx.config.lifecycle.period,
    rules: lifecycleRules(ctx.config.lifecycle),
    dialect: ctx.engine.dialect,
  };
}

/**
 * Every period and state with its count (the header first), for a spreadsheet's pivot table. The
 * first period is the baseline: with no period before it, its states are empty, not 0.
 */
function periodStateRows(report: LifecycleReport): unknown[][] {
  const rows: unknown[][] = [
    ['period_start', 'state', 'users', 'active_users', 'power_users', 'baseline'],
  ];
  for (const p of report.periods) {
    for (const s of LIFECYCLE_STATES) {
      rows.push([
        p.period_start,
        s,
        p.baseline ? null : p.states[s],
        p.active_users,
        p.power_users,
        p.baseline,
      ]);
    }
  }
  return rows;
}

export function registerLifecycle(program: Command): void {
  const snapshotCommand = (name: string, description: string, backfill: boolean) => {
    const cmd = withDataOptions(program.command(name).description(description));
    if (backfill)
      cmd.requiredOption('--from <date>', 'first day, YYYY-MM-DD', parseIsoDay('--from'));
    cmd
      .option('--definition <name>', 'named definition from the config (default: "default")')
      .addOption(period())
      .option(
        '--as-of <date>',
        'last day to cover (default: last day with data)',
        parseIsoDay('--as-of'),
      )
      .option('--json', 'print JSON')
      .action(async (opts: SnapshotFlags) => {
        await withContext(
          opts,
          async (ctx) => {
            const run = await snapshot(ctx, opts);
            if (opts.json) printJson(run);
            else printRun(run);
          },
          { engines: ENGINE_KINDS },
        );
      });
  };
  snapshotCommand(
    'snapshot',
    "store each user's status per period (power user, score, segments): the periods since the last run",
    false,
  );
  snapshotCommand(
    'backfill',
    'compute the snapshots of every period since a date (history for lifecycle)',
    true,
  );

  withDataOptions(
    program
      .command('lifecycle')
      .description(
        'power users over time: new, retained, resurrected, at risk, lost and emerging per period, the flows between them, and the people in a state',
      ),
  )
    .option('--definition <name>', 'named definition from the config (default: "default")')
    .addOption(period())
    .addOption(
      new Option('--state <state>', 'list the people in this state').choices([...LIFECYCLE_STATES]),
    )
    .option(
      '--at <date>',
      'with --state: the period holding this day (default: the last)',
      parseIsoDay('--at'),
    )
    .option('--last <n>', 'periods shown in the terminal (default 12)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1)
        throw new InvalidArgumentError(`--last ${v}: a whole number from 1.`);
      return n;
    })
    .option(
      '--csv',
      'print CSV: the people in the state with --state, else one row per period and state',
    )
    .option('--json', 'print JSON')
    .action(async (opts: LifecycleFlags) => {
      await withContext(
        opts,
        async (ctx) => {
          const input = lifecycleInput(ctx, opts);
          const last = await latestSnapshotPeriod(ctx.engine, input);
          if (!last) {
            throw new Error(
              `no snapshots of definition "${input.definition}" per ${input.period} yet: run powerlens backfill --from DATE (history) or powerlens snapshot.`,
            );
          }
          if (opts.state) {
            const at = opts.at ? periodOf(opts.at, input.period as PeriodKind).start : last;
            const people = await lifecyclePeople(ctx.engine, input, opts.state, at);
            if (opts.json) {
              printJson(people);
            } else if (opts.csv) {
              const header = [
                'user_id',
                'account_id',
                'period_start',
                'state',
                'score',
                'previous_score',
                'is_power_user',
                'trend',
                'days_active',
                'segments',
              ];
              process.stdout.write(
                toCsv([
                  header,
                  ...people.map((p) => [
                    p.user_id,
                    p.account_id,
                    p.period_start,
                    p.state,
                    p.score,
                    p.previous_score,
                    p.is_power_user,
                    p.trend,
                    p.days_active,
                    p.segments.join(';'),
                  ]),
                ]),
              );
            } else {
              console.log(
                pc.bold(
                  `${formatCount(people.length)} ${opts.state.replace('_', ' ')} in the ${input.period} of ${at}`,
                ),
              );
              const t = renderTable(
                ['user', 'account', 'score', 'before', 'trend', 'segments'],
                people.map((p) => [
                  p.user_id,
                  p.account_id,
                  String(p.score),
                  String(p.previous_score),
                  `${p.trend}%`,
                  p.segments.join(', '),
                ]),
              );
              console.log(pc.dim(t[0] ?? ''));
              for (const line of t.slice(1)) console.log(line);
            }
            return;
          }
          const report = await lifecycleReport(ctx.engine, input);
          if (opts.json) {
            printJson(report);
            return;
          }
          if (opts.csv) {
            process.stdout.write(toCsv(periodStateRows(report)));
            return;
          }
          const shown = report.periods.slice(-(opts.last ?? 12));
          const t = renderTable(
            [
              input.period,
              'active',
              'power',
              'share',
              ...LIFECYCLE_STATES.map((s) => s.replace('_', ' ')),
            ],
            shown.map((p) => [
              p.period_start,
              formatCount(p.active_users),
              formatCount(p.power_users),
              `${(p.power_user_share * 100).toFixed(1)}%`,
              ...LIFECYCLE_STATES.map((s) => (p.baseline ? '-' : formatCount(p.states[s]))),
            ]),
          );
          console.log(
            pc.bold(`Power users per ${input.period} (definition "${input.definition}")`),
          );
          console.log(pc.dim(t[0] ?? ''));
          for (const line of t.slice(1)) console.log(line);
          const share = (group: string, k: number) => {
            const r = report.retention.find((x) => x.group === group && x.periods_later === k);
            return r && r.cohort > 0 ? `${(r.share * 100).toFixed(0)}%` : null;
          };
          const ks = [1, 2, 4, 8, 12].filter((k) => share('power_users', k) !== null);
          if (ks.length > 0) {
            console.log('');
            console.log(
              pc.bold(`Still active ${input.period}s later (in the definition's window)`),
            );
            const rt = renderTable(
              ['', ...ks.map((k) => `+${k}`)],
              [
                ['power users', ...ks.map((k) => share('power_users', k) ?? '-')],
                ['everyone else', ...ks.map((k) => share('everyone_else', k) ?? '-')],
              ],
            );
            console.log(pc.dim(rt[0] ?? ''));
            for (const line of rt.slice(1)) console.log(line);
          }
          console.log(
            pc.dim(
              '  The first period is the baseline. People in a state: powerlens lifecycle --state at_risk (or new, lost, emerging, ...)',
            ),
          );
        },
        { readOnly: true, engines: ENGINE_KINDS },
      );
    });
}
