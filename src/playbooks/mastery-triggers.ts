import { distance } from 'fastest-levenshtein';
import { type AccountTraits, readAccountTraits } from '../analysis/explain-traits.js';
import type { Engine } from '../engines/engine.js';
import type { Playbook, Trigger } from '../model/playbook.js';
import { resolveDefinition } from '../model/resolve-definition.js';
import {
  compileKnownEvents,
  compileMasteredUsers,
  type MasteryRule,
} from '../sql/compile-mastery.js';
import { periodOf } from '../time/periods.js';
import type { EvaluationContext } from './evaluation-context.js';
import { passes } from './filters.js';
import type { Occurrence } from './occurrence.js';
import { onceOccurrenceId } from './occurrence-ids.js';
import { PlaybookError } from './playbook-error.js';
import { byOccurrenceOrder, compareText } from './playbook-groups.js';

/** What the mastered_feature evaluator reads of the evaluation context. */
export type MasteryContext = Pick<
  EvaluationContext,
  'projectId' | 'config' | 'asOf' | 'definition'
>;

type MasteryTrigger = Extract<Trigger, { on: 'mastered_feature' }>;

interface MasteredRow {
  user_id: string;
  days_used: number | bigint;
  uses: number | bigint;
  uses_rank: number | bigint;
  users_of_feature: number | bigint;
  cutoff: number | bigint;
  account_id: string;
  present: boolean;
  score: number | bigint;
  segments: string;
}

/**
 * mastered_feature (docs/playbooks.md, "Mastered a feature"): the users who meet the playbook's
 * mastery rule for its feature (an event name) in the watched definition's window ending on
 * `asOf`, filtered as the lifecycle triggers are on their score and segments in the latest stored
 * snapshot and their account's traits. Each fires once per user and playbook, ever: the id has
 * no period (onceOccurrenceId), so the outbox records the first and ignores the rest. A feature
 * no event of the project carries is a PlaybookError naming the nearest event names, raised
 * before anything is read for the other playbooks. Ordered by playbook, then user.
 */
export async function evaluateMasteryTriggers(
  engine: Engine,
  ctx: MasteryContext,
  playbooks: Record<string, Playbook>,
): Promise<Occurrence[]> {
  const mine = Object.entries(playbooks).flatMap(([name, p]) =>
    p.enabled && p.trigger.on === 'mastered_feature'
      ? [{ name, playbook: p, trigger: p.trigger }]
      : [],
  );
  if (mine.length === 0) return [];
  const known = await knownEvents(engine, ctx.projectId);
  for (const { name, trigger } of mine) {
    if (!known.has(trigger.feature))
      throw unknownFeature(name, trigger.feature, ctx.projectId, known);
  }
  const period = ctx.config.lifecycle.period;
  const periodStart = periodOf(ctx.asOf, period).start;
  const out: Occurrence[] = [];
  for (const { name, playbook, trigger } of mine) {
    const definition = resolveDefinition(ctx.config, {
      name: playbook.definition ?? ctx.definition,
    });
    const q = compileMasteredUsers({
      projectId: ctx.projectId,
      feature: trigger.feature,
      asOf: ctx.asOf,
      windowDays: definition.window_days,
      rule: ruleOf(trigger),
      definition: definition.name,
      period,
      dialect: engine.dialect,
    });
    const rows = await engine.query<MasteredRow>(q.sql, q.params);
    const traits = playbook.filters.account_traits
      ? await readAccountTraits(
          engine,
          ctx.projectId,
          rows.map((r) => r.account_id),
        )
      : new Map<string, AccountTraits>();
    for (const r of rows) {
      const user = {
        present: Boolean(r.present),
        score: Number(r.score),
        segments: r.segments.split(';').filter(Boolean),
      };
      if (!passes(playbook.filters, user, traits.get(r.account_id))) continue;
      out.push(
        masteryOccurrence(ctx.projectId, name, trigger, r, {
          period,
          periodStart,
          windowDays: definition.window_days,
        }),
      );
    }
  }
  return out.sort(byOccurrenceOrder);
}

function ruleOf(t: MasteryTrigger): MasteryRule {
  // The schema allows exactly one of the two.
  return t.min_days !== undefined ? { minDays: t.min_days } : { topPercent: t.top_percent ?? 100 };
}

async function knownEvents(engine: Engine, projectId: string): Promise<Set<string>> {
  const q = compileKnownEvents(engine.dialect, projectId);
  const rows = await engine.query<{ event: string }>(q.sql, q.params);
  return new Set(rows.map((r) => r.event));
}

/** What the user is told: the playbook, the feature, and the event names it may have meant. */
function unknownFeature(
  playbook: string,
  feature: string,
  projectId: string,
  known: ReadonlySet<string>,
): PlaybookError {
  const where = `playbook "${playbook}": trigger.feature "${feature}" is no event of project ${projectId}`;
  if (known.size === 0) {
    return new PlaybookError(
      `${where}: the project has no events yet (import or send some, then run again).`,
    );
  }
  const nearest = [...known]
    .map((e) => [e, distance(feature.toLowerCase(), e.toLowerCase())] as const)
    .sort(([a, x], [b, y]) => x - y || compareText(a, b))
    .slice(0, 3)
    .map(([e]) => e);
  return new PlaybookError(
    `${where} (a feature here is an event name): the nearest are ${nearest.join(', ')}. Fix trigger.feature in the config (powerlens catalog lists the features and their events).`,
  );
}

const ordinal = (n: number) => {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
};
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function masteryOccurrence(
  projectId: string,
  playbook: string,
  trigger: MasteryTrigger,
  r: MasteredRow,
  when: { period: string; periodStart: string; windowDays: number },
): Occurrence {
  const [days, uses, rank, users, cutoff] = [
    Number(r.days_used),
    Number(r.uses),
    Number(r.uses_rank),
    Number(r.users_of_feature),
    Number(r.cutoff),
  ];
  const window = `the ${when.windowDays}-day window`;
  const head = `mastered ${trigger.feature} in the ${when.period} of ${when.periodStart}`;
  const topPercent = trigger.min_days === undefined;
  const rule = topPercent
    ? `top ${trigger.top_percent}% by uses`
    : `at least ${trigger.min_days} distinct days`;
  const explanation = topPercent
    ? `${head}: ${ordinal(rank)} of ${plural(users, 'user')} of ${trigger.feature} (top ${trigger.top_percent}%: ${cutoff}) by uses in ${window}, with ${plural(uses, 'use')} on ${plural(days, 'distinct day')}`
    : `${head}: used it on ${plural(days, 'distinct day')} of ${window} (rule: at least ${trigger.min_days})`;
  return {
    occurrence_id: onceOccurrenceId(projectId, playbook, trigger, r.user_id),
    project_id: projectId,
    playbook,
    trigger: trigger.on,
    subject_type: 'user',
    subject_id: r.user_id,
    account_id: r.account_id,
    period_start: when.periodStart,
    explanation,
    data: {
      feature: trigger.feature,
      days_used: days,
      uses,
      rule,
      ...(topPercent ? { rank, users_of_feature: users } : {}),
      score: r.present ? Number(r.score) : null,
      segments: r.segments.split(';').filter(Boolean),
      account_id: r.account_id,
      changed: `mastered: ${trigger.feature}`,
    },
  };
}
