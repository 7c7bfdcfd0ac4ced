import type { Config } from '../model/config.js';
import type { Definition } from '../model/definition.js';
import type { DefinitionWarning } from '../model/definition-problems.js';
import {
  definitionInputs,
  definitionName,
  resolveDefinition,
} from '../model/resolve-definition.js';
import { describeDefinition } from './describe-definition.js';
import { definitionWarnings } from './verdict-warnings.js';

/** One definition of the config, in plain words. */
export interface DefinitionSummary {
  name: string;
  description: string | null;
  kind: Definition['kind'];
  window_days: number;
  /** What the definition asks, every threshold resolved for its window. */
  text: string;
  /** Whether it is the one used when none is named. */
  is_default: boolean;
  /** What its verdicts may get wrong whatever the data: the single-metric trap. */
  warnings: DefinitionWarning[];
}

/** Every definition of the config, in the order written, in plain words. */
export function definitionSummaries(config: Config): DefinitionSummary[] {
  return Object.keys(definitionInputs(config)).map((name) => {
    const d = resolveDefinition(config, { name });
    return {
      name,
      description: d.description ?? null,
      kind: d.kind,
      window_days: d.window_days,
      text: describeDefinition(d),
      is_default: name === definitionName(config),
      warnings: definitionWarnings(d),
    };
  });
}
