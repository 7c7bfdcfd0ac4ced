import type { Command } from 'commander';
import pc from 'picocolors';
import { listUsers } from '../../analysis/list-users.js';
import { resolveAsOf } from '../../analysis/resolve-as-of.js';
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
import { dimHeader, renderTable } from '../render/table.js';
import { renderWarnings } from '../render/warnings-text.js';
import { parsePositiveInt } from './parse-options.js';
import { definitionFromFlags, type ScoringFlags, withScoringOptions } from './scoring-options.js';

/** Users a terminal is shown without --limit. */
const PAGE = 50;

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
          // A terminal gets a page; scripts (--csv, --json) get everyone unless they ask for less.
          const pageSize = opts.csv || opts.json ? undefined : PAGE;
          const listing = await listUsers(
            ctx.engine,
            {
              projectId: ctx.projectId,
              definition,
              asOf: await resolveAsOf(ctx.engine, ctx.projectId, opts.asOf),
              catalogue: ctx.config.catalogue,
              segments: resolveSegments(ctx.config.segments),
            },
            { power: opts.power, limit: opts.limit ?? pageSize },
          );
          const { as_of, window_days, history, warnings, users } = listing;
          if (opts.csv) {
            process.stdout.write(usersCsv(users));
            return;
          }
          if (opts.json) {
            printJson({
              as_of,
              window_days,
              definition: listing.definition,
              history,
              warnings,
              users,
            });
            return;
          }
          const more = opts.limit === undefined && listing.total > users.length;
          console.log(
            pc.bold(
              `${more ? `the first ${PAGE}` : users.length} ${opts.power ? 'power users' : 'active users'} — definition "${definition.name}", ${window_days} days to ${as_of}`,
            ),
          );
          const table = renderTable(
            ['user', 'account', 'score', 'power', 'reason'],
            users.map((u) => [
              u.user_id,
              u.account_id || '-',
              String(u.score),
              u.is_power_user ? 'yes' : '',
              u.reason.length > 90 ? `${u.reason.slice(0, 89)}…` : u.reason,
            ]),
          );
          for (const line of renderWarnings(warnings)) console.log(line);
          for (const line of dimHeader(table)) console.log(line);
          if (more) console.log(pc.dim('  ... more: --limit N, or --csv / --json for everyone'));
        },
        { readOnly: true, engines: ENGINE_KINDS },
      );
    });
}
