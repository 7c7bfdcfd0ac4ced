import type { Engine } from '../engines/engine.js';
import { type Playbook, subjectTypeOf } from '../model/playbook.js';
import { evaluateAccountTriggers } from './account-triggers.js';
import type { EvaluationContext, FamilyEvaluator } from './evaluation-context.js';
import { evaluateMasteryTriggers } from './mastery-triggers.js';
import type { Occurrence } from './occurrence.js';
import { byOccurrenceOrder } from './playbook-groups.js';
import { evaluateProjectAlerts } from './project-alerts.js';
import { evaluateTriggersSince, isLifecycleTrigger } from './triggers.js';

/** The occurrences, and the period each lifecycle playbook reached (its new cursor). */
export interface Evaluation {
  occurrences: Occurrence[];
  reached: Map<string, string>;
}

/** The playbooks of one family, by name. */
function only(
  playbooks: Record<string, Playbook>,
  keep: (p: Playbook) => boolean,
): Record<string, Playbook> {
  return Object.fromEntries(Object.entries(playbooks).filter(([, p]) => p.enabled && keep(p)));
}

/**
 * Every enabled playbook's occurrences now, whatever its trigger: the lifecycle's user triggers
 * (triggers.ts), features mastered, account signals and project alerts, each from its own
 * evaluator; the lifecycle's from each playbook's cursor. Ordered by playbook, period, subject.
 */
export async function evaluatePlaybooks(
  engine: Engine,
  ctx: EvaluationContext,
  playbooks: Record<string, Playbook>,
): Promise<Evaluation> {
  const lifecycle = await evaluateTriggersSince(engine, {
    projectId: ctx.projectId,
    definition: ctx.definition,
    period: ctx.config.lifecycle.period,
    rules: ctx.rules,
    playbooks: only(playbooks, (p) => isLifecycleTrigger(p.trigger)),
    segments: ctx.segments,
    since: ctx.cursors,
  });
  const out = lifecycle.occurrences;
  const families: [(p: Playbook) => boolean, FamilyEvaluator][] = [
    [(p) => p.trigger.on === 'mastered_feature', evaluateMasteryTriggers],
    [(p) => subjectTypeOf(p.trigger) === 'account', evaluateAccountTriggers],
    [(p) => subjectTypeOf(p.trigger) === 'project', evaluateProjectAlerts],
  ];
  for (const [keep, evaluate] of families) {
    const mine = only(playbooks, keep);
    if (Object.keys(mine).length === 0) continue;
    out.push(...(await evaluate(engine, ctx, mine)));
  }
  out.sort(byOccurrenceOrder);
  return { occurrences: out, reached: lifecycle.reached };
}
