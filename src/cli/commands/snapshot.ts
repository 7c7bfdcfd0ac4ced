import type { Command } from 'commander';
import { resolveAsOf } from '../../analysis/resolve-as-of.js';
import { ENGINE_KINDS } from '../../engines/open-engine.js';
import { runSnapshots } from '../../lifecycle/run-snapshots.js';
import { snapshotInput } from '../../lifecycle/snapshot-input.js';
import type { PeriodKind } from '../../time/periods.js';
import {
  type GlobalOptions,
  printJson,
  refreshRollups,
  withContext,
  withDataOptions,
} from '../context.js';
import { renderSnapshotRun, snapshotProgress } from '../render/snapshot-run-text.js';
import { parseIsoDay, periodOption } from './parse-options.js';

interface SnapshotFlags extends GlobalOptions {
  definition?: string;
  period?: PeriodKind;
  asOf?: string;
  from?: string;
}

/**
 * A command that stores snapshots (`snapshot`, and `backfill` with its required --from): the
 * flags they share, and one run of runSnapshots printed as a table or JSON.
 */
export function snapshotCommand(
  program: Command,
  name: string,
  description: string,
  backfill: boolean,
): void {
  const cmd = withDataOptions(program.command(name).description(description));
  if (backfill) cmd.requiredOption('--from <date>', 'first day, YYYY-MM-DD', parseIsoDay('--from'));
  cmd
    .option('--definition <name>', 'named definition from the config (default: "default")')
    .addOption(periodOption('day, week or month (default: lifecycle.period, week)'))
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
          await refreshRollups(ctx);
          const input = snapshotInput(ctx.config, ctx.projectId, opts);
          const run = await runSnapshots(ctx.engine, {
            ...input,
            from: opts.from,
            // A period past the data would be one nobody lived: the day must be within it.
            asOf: await resolveAsOf(ctx.engine, ctx.projectId, opts.asOf, true),
            onProgress: opts.json ? undefined : snapshotProgress(),
          });
          if (opts.json) printJson(run);
          else console.log(renderSnapshotRun(run));
        },
        { engines: ENGINE_KINDS },
      );
    });
}

export function registerSnapshot(program: Command): void {
  snapshotCommand(
    program,
    'snapshot',
    "store each user's status per period (power user, score, segments): the periods since the last run",
    false,
  );
}
