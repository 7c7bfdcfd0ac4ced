import type { Command } from 'commander';
import { ENGINE_KINDS } from '../../engines/open-engine.js';
import {
  type GlobalOptions,
  printJson,
  refreshRollups,
  withContext,
  withDataOptions,
} from '../context.js';
import { formatCount } from '../render/numbers.js';

export function registerRollup(program: Command): void {
  withDataOptions(
    program
      .command('rollup')
      .description('refresh the daily per-user rollups (only days that received events)'),
  )
    .option('--full', 'rebuild every day')
    .option('--json', 'print the result as JSON')
    .action(async (opts: GlobalOptions & { full?: boolean }) => {
      await withContext(
        opts,
        async (ctx) => {
          const r = await refreshRollups(ctx, opts.full === true);
          if (opts.json) printJson(r);
          else if (r.mode === 'up-to-date') console.log('rollups are up to date');
          else
            console.log(
              `rollups: ${r.mode}${r.reason ? ` (${r.reason})` : ''}, ${formatCount(r.days_rebuilt)} days, ${formatCount(r.user_days)} user-days in ${r.seconds.toFixed(2)} s`,
            );
        },
        { engines: ENGINE_KINDS },
      );
    });
}
