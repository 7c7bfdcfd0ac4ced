import type { Command } from 'commander';
import { explainUser } from '../../analysis/explain-user.js';
import { resolveAsOf } from '../../analysis/resolve-as-of.js';
import { ENGINE_KINDS } from '../../engines/open-engine.js';
import { resolveSegments } from '../../model/segments.js';
import {
  type GlobalOptions,
  printJson,
  refreshRollups,
  withContext,
  withDataOptions,
} from '../context.js';
import { renderExplanation } from '../render/explanation-text.js';
import { definitionFromFlags, type ScoringFlags, withScoringOptions } from './scoring-options.js';

interface ExplainFlags extends GlobalOptions, ScoringFlags {}

export function registerExplain(program: Command): void {
  withScoringOptions(
    withDataOptions(
      program
        .command('explain')
        .argument('<user_id>', 'the user to explain')
        .description('why a user is, or is not, a power user: every criterion, signal and feature'),
    ),
  )
    .option('--json', 'print JSON')
    .action(async (userId: string, opts: ExplainFlags) => {
      await withContext(
        opts,
        async (ctx) => {
          const definition = definitionFromFlags(ctx, opts);
          await refreshRollups(ctx);
          const u = await explainUser(ctx.engine, {
            projectId: ctx.projectId,
            userId,
            definition,
            asOf: await resolveAsOf(ctx.engine, ctx.projectId, opts.asOf),
            catalogue: ctx.config.catalogue,
            segments: resolveSegments(ctx.config.segments),
            period: ctx.config.lifecycle.period,
          });
          if (opts.json) {
            printJson(u);
            return;
          }
          console.log(renderExplanation(u));
        },
        { readOnly: true, engines: ENGINE_KINDS },
      );
    });
}
