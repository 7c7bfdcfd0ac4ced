import type { Command } from 'commander';
import { cachedAnalysis } from '../../analysis/report-cache.js';
import { resolveAsOf } from '../../analysis/resolve-as-of.js';
import { runAnalysis } from '../../analysis/run-analysis.js';
import { ENGINE_KINDS } from '../../engines/open-engine.js';
import { resolveSegments } from '../../model/segments.js';
import {
  type GlobalOptions,
  printJson,
  refreshRollups,
  withContext,
  withDataOptions,
} from '../context.js';
import { renderReport } from '../render/report-text.js';
import { parsePositiveInt } from './parse-options.js';
import { definitionFromFlags, type ScoringFlags, withScoringOptions } from './scoring-options.js';

interface AnalyzeFlags extends GlobalOptions, ScoringFlags {
  top: number;
  cache: boolean;
}

export function registerAnalyze(program: Command): void {
  withScoringOptions(
    withDataOptions(
      program
        .command('analyze')
        .description(
          'the power-user report: totals, L7/L30 curves, concentration, power users against everyone else, feature adoption, who and why',
        ),
    ),
    true,
  )
    .option(
      '--top <n>',
      'how many top power users to list',
      (v) => parsePositiveInt('--top', v),
      10,
    )
    .option('--json', 'print the report as JSON')
    .option('--no-cache', 'compute the report even if the same one is cached')
    .action(async (opts: AnalyzeFlags) => {
      await withContext(
        opts,
        async (ctx) => {
          const definition = definitionFromFlags(ctx, opts);
          const baseline = opts.set?.length
            ? definitionFromFlags(ctx, { ...opts, set: [] })
            : undefined;
          // Events imported with --no-rollup (or by another process) are rolled up first, so the
          // report never silently misses them; a no-op when the rollups are current.
          await refreshRollups(ctx);
          const options = {
            projectId: ctx.projectId,
            definition,
            baseline,
            asOf: await resolveAsOf(ctx.engine, ctx.projectId, opts.asOf),
            catalogue: ctx.config.catalogue,
            segments: resolveSegments(ctx.config.segments),
            top: opts.top,
          };
          const { report, cache } = opts.cache
            ? await cachedAnalysis(ctx.engine, options)
            : { report: await runAnalysis(ctx.engine, options), cache: undefined };
          if (opts.json) printJson(cache ? { ...report, cache } : report);
          else console.log(renderReport(report, opts.set ?? []));
        },
        { readOnly: true, engines: ENGINE_KINDS },
      );
    });
}
