import type { Command } from 'commander';
import { runAnalysis } from '../../analysis/run-analysis.js';
import {
  type GlobalOptions,
  printJson,
  refreshRollups,
  withContext,
  withDataOptions,
} from '../context.js';
import { renderReport } from '../render/report-text.js';
import { parsePositiveInt, parseWindow } from './parse-options.js';

interface AnalyzeFlags extends GlobalOptions {
  asOf?: string;
  window: number;
  top: number;
}

export function registerAnalyze(program: Command): void {
  withDataOptions(
    program
      .command('analyze')
      .description('the power-user report: totals, the Power User Curve, who and why'),
  )
    .option('--as-of <date>', 'last day of the window, YYYY-MM-DD (default: last day with data)')
    .option('--window <days>', 'trailing window in days', parseWindow, 30)
    .option(
      '--top <n>',
      'how many top power users to list',
      (v) => parsePositiveInt('--top', v),
      10,
    )
    .option('--json', 'print the report as JSON')
    .action(async (opts: AnalyzeFlags) => {
      await withContext(
        opts,
        async (ctx) => {
          const { engine, projectId } = ctx;
          // Events imported with --no-rollup (or by another process) are rolled up first, so the
          // report never silently misses them; a no-op when the rollups are current.
          await refreshRollups(ctx);
          const report = await runAnalysis(engine, {
            projectId,
            asOf: opts.asOf,
            windowDays: opts.window,
            top: opts.top,
          });
          if (opts.json) printJson(report);
          else console.log(renderReport(report));
        },
        { readOnly: true },
      );
    });
}
