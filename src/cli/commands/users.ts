import type { Command } from 'commander';
import pc from 'picocolors';
import { resolveAsOf } from '../../analysis/resolve-as-of.js';
import { featureLabels, readScoredUsers, scoreInto } from '../../analysis/score-users.js';
import { usersCsv } from '../../analysis/users-csv.js';
import { ENGINE_KINDS } from '../../engines/open-engine.js';
import { resolveSegments } from '../../model/segments.js';
import {
  type GlobalOptions,
  printJson,
  refreshRollups,
  withContext,
  withDataOptions,
} from '../context.js';
import { renderTable } from '../render/table.js';
import { parsePositiveInt } from './parse-options.js';
import { definitionFromFlags, type ScoringFlags, withScoringOptions } from './scoring-options.js';

interface UsersFlags extends GlobalOptions, ScoringFlags {
  power?: boolean;
  csv?: boolean;
  limit?: number;
}

export function registerUsers(program: Command): void {
  withScoringOptions(
    withDataOptions(
      program.command('users').description('every active user with score, verdict and reason'),
    ),
  )
    .option('--power', 'only power users')
    .option('--limit <n>', 'at most this many users', (v) => parsePositiveInt('--limit', v))
    .option(
      '--csv',
      'print CSV (user_id, account_id, email, name, account_name, plan when known, score, is_power_user, signals, reason)',
    )
    .option('--json', 'print JSON')
    .action(async (opts: UsersFlags) => {
      await withContext(
        opts,
        async (ctx) => {
          const definition = definitionFromFlags(ctx, opts);
          await refreshRollups(ctx);
          const asOf = await resolveAsOf(ctx.engine, ctx.projectId, opts.asOf);
          const catalogue = ctx.config.catalogue;
          await scoreInto(ctx.engine, definition, { projectId: ctx.projectId, asOf, catalogue });
          // A terminal gets a page; scripts (--csv, --json) get everyone unless they ask for less.
          const pageSize = opts.csv || opts.json ? undefined : 50;
          const users = await readScoredUsers(ctx.engine, definition, {
            powerOnly: opts.power,
            limit: opts.limit ?? (pageSize === undefined ? undefined : pageSize + 1),
            labels: featureLabels(catalogue),
            segments: resolveSegments(ctx.config.segments),
            traitsOf: ctx.projectId,
          });
          if (opts.csv) {
            process.stdout.write(usersCsv(users));
            return;
          }
          if (opts.json) {
            printJson({
              as_of: asOf,
              window_days: definition.window_days,
              definition: definition.name,
              users,
            });
            return;
          }
          const more = opts.limit === undefined && users.length > 50;
          const shown = more ? users.slice(0, 50) : users;
          console.log(
            pc.bold(
              `${more ? 'the first 50' : shown.length} ${opts.power ? 'power users' : 'active users'} — definition "${definition.name}", ${definition.window_days} days to ${asOf}`,
            ),
          );
          const table = renderTable(
            ['user', 'account', 'score', 'power', 'reason'],
            shown.map((u) => [
              u.user_id,
              u.account_id || '-',
              String(u.score),
              u.is_power_user ? 'yes' : '',
              u.reason.length > 90 ? `${u.reason.slice(0, 89)}…` : u.reason,
            ]),
          );
          console.log(pc.dim(table[0] ?? ''));
          for (const line of table.slice(1)) console.log(line);
          if (more) console.log(pc.dim('  ... more: --limit N, or --csv / --json for everyone'));
        },
        { readOnly: true, engines: ENGINE_KINDS },
      );
    });
}
