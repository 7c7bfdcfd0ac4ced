import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { toCsv } from '../../analysis/csv-cell.js';
import { ENGINE_KINDS } from '../../engines/open-engine.js';
import { lifecycleInput } from '../../lifecycle/lifecycle-input.js';
import { lifecycleReport, peopleInState } from '../../lifecycle/lifecycle-report.js';
import { LIFECYCLE_STATES, type LifecycleState } from '../../sql/compile-lifecycle.js';
import type { PeriodKind } from '../../time/periods.js';
import { type GlobalOptions, printJson, withContext, withDataOptions } from '../context.js';
import { peopleRows, periodStateRows } from '../render/lifecycle-csv.js';
import { renderLifecycleReport, renderPeopleInState } from '../render/lifecycle-text.js';
import { parseIsoDay, periodOption } from './parse-options.js';

interface LifecycleFlags extends GlobalOptions {
  definition?: string;
  period?: PeriodKind;
  state?: LifecycleState;
  at?: string;
  last?: number;
  csv?: boolean;
}

function parseLast(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`--last ${v}: a whole number from 1.`);
  return n;
}

/**
 * `powerlens lifecycle`: the lifecycle report (lifecycleReport), or with --state the people in a
 * state (peopleInState), as text, CSV or JSON. It reads the snapshots `snapshot` and `backfill`
 * store.
 */
export function registerLifecycle(program: Command): void {
  withDataOptions(
    program
      .command('lifecycle')
      .description(
        'power users over time: new, retained, resurrected, at risk, lost and emerging per period, the flows between them, and the people in a state',
      ),
  )
    .option('--definition <name>', 'named definition from the config (default: "default")')
    .addOption(periodOption('day, week or month (default: lifecycle.period, week)'))
    .addOption(
      new Option('--state <state>', 'list the people in this state').choices([...LIFECYCLE_STATES]),
    )
    .option(
      '--at <date>',
      'with --state: the period holding this day (default: the last)',
      parseIsoDay('--at'),
    )
    .option('--last <n>', 'periods shown in the terminal (default 12)', parseLast)
    .option(
      '--csv',
      'print CSV: the people in the state with --state, else one row per period and state',
    )
    .option('--json', 'print JSON')
    .action(async (opts: LifecycleFlags) => {
      await withContext(
        opts,
        async (ctx) => {
          const input = lifecycleInput(ctx.engine, ctx.config, ctx.projectId, opts);
          const noSnapshots = () =>
            new Error(
              `no snapshots of definition "${input.definition}" per ${input.period} yet: run powerlens backfill --from DATE (history) or powerlens snapshot.`,
            );
          if (opts.state) {
            const found = await peopleInState(ctx.engine, input, opts.state, opts.at);
            if (!found) throw noSnapshots();
            if (opts.json) printJson(found.people);
            else if (opts.csv) process.stdout.write(toCsv(peopleRows(found.people)));
            else console.log(renderPeopleInState(found, opts.state, input.period));
            return;
          }
          const report = await lifecycleReport(ctx.engine, input);
          // Every stored period has its row: none means no snapshots yet.
          if (report.periods.length === 0) throw noSnapshots();
          if (opts.json) printJson(report);
          else if (opts.csv) process.stdout.write(toCsv(periodStateRows(report)));
          else console.log(renderLifecycleReport(report, opts.last ?? 12));
        },
        { readOnly: true, engines: ENGINE_KINDS },
      );
    });
}
