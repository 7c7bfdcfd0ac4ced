import type { Command } from 'commander';
import type { Definition } from '../../model/definition.js';
import { resolveDefinition } from '../../model/resolve-definition.js';
import type { Context } from '../context.js';
import { parseWindow } from './parse-options.js';

export interface ScoringFlags {
  definition?: string;
  asOf?: string;
  window?: number;
  set?: string[];
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The options of every command that scores users: which definition, which window. */
export function withScoringOptions(cmd: Command, whatIf = false): Command {
  cmd
    .option('--definition <name>', 'named definition from the config (default: "default")')
    .option('--as-of <date>', 'last day of the window, YYYY-MM-DD (default: last day with data)')
    .option(
      '--window <days>',
      "trailing window in days (default: the definition's, 30)",
      parseWindow,
    );
  if (whatIf) {
    cmd.option(
      '--set <key=value>',
      'what-if: change a threshold, e.g. days_active.min=15 (repeatable)',
      collect,
    );
  }
  return cmd;
}

export function definitionFromFlags(ctx: Context, flags: ScoringFlags): Definition {
  return resolveDefinition(ctx.config, {
    name: flags.definition,
    windowDays: flags.window,
    set: flags.set,
  });
}
