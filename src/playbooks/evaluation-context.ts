import type { Engine } from '../engines/engine.js';
import type { Config } from '../model/config.js';
import type { LifecycleRules } from '../model/lifecycle-config.js';
import type { Playbook } from '../model/playbook.js';
import type { Segment } from '../model/segments.js';
import type { Occurrence } from './occurrence.js';

/**
 * What every trigger family is evaluated with: the project's config (definitions, catalogue,
 * lifecycle), the last day with data the snapshots were brought to, and the default definition.
 */
export interface EvaluationContext {
  projectId: string;
  config: Config;
  /** The last day with data (the latest period's window ends on it). */
  asOf: string;
  /** The definition a playbook without `definition:` watches. */
  definition: string;
  rules: LifecycleRules;
  segments: readonly Segment[];
  /** Per playbook, the last period evaluated before (cursors.ts); none: the latest only. */
  cursors?: ReadonlyMap<string, string> | undefined;
}

/** A family's evaluator: the occurrences of its playbooks now, ids stable. */
export type FamilyEvaluator = (
  engine: Engine,
  ctx: EvaluationContext,
  playbooks: Record<string, Playbook>,
) => Promise<Occurrence[]>;
