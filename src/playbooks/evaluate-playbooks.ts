import type { Engine } from '../engines/engine.js';
import type { Config } from '../model/config.js';
import type { LifecycleRules } from '../model/lifecycle-config.js';
import { type Playbook, subjectTypeOf } from '../model/playbook.js';
import type { Segment } from '../model/segments.js';
import { evaluateMasteryTriggers } from './mastery-triggers.js';
import type { Occurrence } from './occurrence.js';
import { evaluateTriggers, isLifecycleTrigger } from './triggers.js';

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
}

/** A family's evaluator: the occurrences of its playbooks now, ids stable. */
export type FamilyEvaluator = (
  engine: Engine,
  ctx: EvaluationContext,
  playbooks: Record<string, Playbook>,
) => Promise<Occurrence[]>;

/** The playbooks of one family, by name. */
function only(
  playbooks: Record<string, Playbook>,
  keep: (p: Playbook) => boolean,
): Record<string, Playbook> {
  return Object.fromEntries(Object.entries(playbooks).filter(([, p]) => p.enabled && keep(p)));
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Every enabled playbook's occurrences now, whatever its trigger: the lifecycle's user triggers
 * (triggers.ts), features mastered, account signals and project alerts, each from its own
 * evaluator. Ordered by playbook, then subject.
 */
export async function evaluatePlaybooks(
  engine: Engine,
  ctx: EvaluationContext,
  playbooks: Record<string, Playbook>,
): Promise<Occurrence[]> {
  const out = await evaluateTriggers(engine, {
    projectId: ctx.projectId,
    definition: ctx.definition,
    period: ctx.config.lifecycle.period,
    rules: ctx.rules,
    playbooks: only(playbooks, (p) => isLifecycleTrigger(p.trigger)),
    segments: ctx.segments,
  });
  const families: [string, (p: Playbook) => boolean, FamilyEvaluator | null][] = [
    ['mastered_feature', (p) => p.trigger.on === 'mastered_feature', evaluateMasteryTriggers],
    ['account_signal', (p) => subjectTypeOf(p.trigger) === 'account', null],
    ['project alerts', (p) => subjectTypeOf(p.trigger) === 'project', null],
  ];
  for (const [family, keep, evaluate] of families) {
    const mine = only(playbooks, keep);
    if (Object.keys(mine).length === 0) continue;
    if (!evaluate) throw new Error(`${family} triggers are not evaluated yet`);
    out.push(...(await evaluate(engine, ctx, mine)));
  }
  return out.sort((a, b) =>
    a.playbook === b.playbook
      ? compare(a.subject_id, b.subject_id)
      : compare(a.playbook, b.playbook),
  );
}
