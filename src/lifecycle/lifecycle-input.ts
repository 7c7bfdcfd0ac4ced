import type { Engine } from '../engines/engine.js';
import type { Config } from '../model/config.js';
import { lifecycleRules } from '../model/lifecycle-config.js';
import { definitionName } from '../model/resolve-definition.js';
import type { LifecycleInput } from '../sql/compile-lifecycle.js';
import type { PeriodKind } from '../time/periods.js';

/** The lifecycle a request asks for: a definition and a period kind, each defaulted if not. */
export interface LifecycleAsked {
  definition?: string | undefined;
  period?: PeriodKind | undefined;
}

/**
 * What the lifecycle report and its people are read with, for the CLI and the API alike: the
 * definition asked for (else the config's default), the period asked for (else the config's
 * lifecycle.period) and the config's thresholds for the states.
 */
export function lifecycleInput(
  engine: Engine,
  config: Config,
  projectId: string,
  asked: LifecycleAsked,
): LifecycleInput & { period: PeriodKind } {
  return {
    projectId,
    definition: definitionName(config, asked.definition),
    period: asked.period ?? config.lifecycle.period,
    rules: lifecycleRules(config.lifecycle),
    dialect: engine.dialect,
  };
}
