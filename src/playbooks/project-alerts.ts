import type { Engine } from '../engines/engine.js';
import {
  type LifecycleFlow,
  type LifecyclePeriod,
  lifecycleReport,
} from '../lifecycle/lifecycle-report.js';
import type { Playbook, Trigger } from '../model/playbook.js';
import { resolveDefinition } from '../model/resolve-definition.js';
import { compileCurveTop } from '../sql/compile-curve-top.js';
import type { LifecycleInput } from '../sql/compile-lifecycle.js';
import type { EvaluationContext, FamilyEvaluator } from './evaluation-context.js';
import type { Occurrence } from './occurrence.js';
import { occurrenceId } from './occurrence-ids.js';
import { PlaybookError } from './playbook-error.js';
import { byDefinition } from './playbook-groups.js';

/**
 * Project alerts (docs/playbooks.md, "Project alerts"): a playbook fires once per period for the
 * project when its totals moved between the latest stored snapshot period and the one before
 * (the lifecycle report's counts, states and flows; the activity curve's top bucket from the
 * stored snapshots). A period whose window starts before the first day of data (`partial`) is
 * not compared: its counts grow only because the window fills up, which is no news.
 */

type AlertTrigger = Extract<
  Trigger,
  {
    on:
      | 'power_user_count_changed'
      | 'power_user_share_changed'
      | 'curve_top_bucket_shrank'
      | 'lifecycle_flow';
  }
>;

/** What an alert fires with: its sentence and the numbers behind it. */
interface Alert {
  explanation: string;
  data: Occurrence['data'];
}

/** The two periods an alert compares, and what it is worded with. */
interface Comparison {
  now: LifecyclePeriod;
  before: LifecyclePeriod;
  /** The flows into the latest period ('' = none). */
  flows: LifecycleFlow[];
  /** "between the week of A and the week of B" */
  between: string;
  /** "week" */
  period: string;
}

/** Shares are compared in points; this keeps 7 - 5 from missing a threshold of 2 by a rounding. */
const EPSILON = 1e-9;

/**
 * Whether `part` is at least `percent`% of `whole`, inclusive and exact for the thresholds people
 * write: 33 is 2.2% of 1500, though 2.2 * 1500 is 3300.0000000000005 in floating point.
 */
export function atLeastPercent(part: number, whole: number, percent: number): boolean {
  return part * 100 >= percent * whole - EPSILON;
}

/** A number with at most one decimal: 16.7, 25, 0.4. */
const oneDecimal = (n: number) => String(Math.round(n * 10) / 10);
const signed = (n: number) => `${n > 0 ? '+' : ''}${oneDecimal(n)}`;
const percent = (share: number) => `${oneDecimal(100 * share)}%`;
const users = (n: number) => `${n} user${n === 1 ? '' : 's'}`;
const share = (part: number, whole: number) => (whole > 0 ? part / whole : 0);

export function isProjectAlert(trigger: Trigger): trigger is AlertTrigger {
  return (
    trigger.on === 'power_user_count_changed' ||
    trigger.on === 'power_user_share_changed' ||
    trigger.on === 'curve_top_bucket_shrank' ||
    trigger.on === 'lifecycle_flow'
  );
}

/**
 * The activity curve's top bucket for a window: active on more than the top third of the days
 * a user can have (1 .. window_days), at least one of them: 21+ of 30, 20+ of 28, 6+ of 7.
 */
export function defaultTopDays(windowDays: number): number {
  return windowDays - Math.max(1, Math.floor(windowDays / 3)) + 1;
}

/** The project alerts of these playbooks now: one occurrence per playbook that fires. */
export const evaluateProjectAlerts: FamilyEvaluator = async (engine, ctx, playbooks) => {
  const groups = byDefinition(
    playbooks,
    ctx.definition,
    (p): p is Playbook & { trigger: AlertTrigger } => isProjectAlert(p.trigger),
  );
  const out: Occurrence[] = [];
  for (const [definition, mine] of groups) {
    const input: LifecycleInput = {
      projectId: ctx.projectId,
      definition,
      period: ctx.config.lifecycle.period,
      rules: ctx.rules,
      dialect: engine.dialect,
    };
    const comparison = await latestComparison(engine, input);
    if (!comparison) continue;
    for (const [name, playbook] of mine) {
      const alert = await decide(engine, ctx, input, playbook.trigger, comparison, name);
      if (!alert) continue;
      const start = comparison.now.period_start;
      out.push({
        occurrence_id: occurrenceId(ctx.projectId, name, playbook.trigger, ctx.projectId, start),
        project_id: ctx.projectId,
        playbook: name,
        trigger: playbook.trigger.on,
        subject_type: 'project',
        subject_id: ctx.projectId,
        account_id: '',
        period_start: start,
        explanation: alert.explanation,
        data: { ...alert.data, period_before: comparison.before.period_start },
      });
    }
  }
  return out;
};

/**
 * The latest stored period and the one before it, from the lifecycle report; null when fewer
 * than two are stored or either window starts before the data (partial).
 */
async function latestComparison(engine: Engine, input: LifecycleInput): Promise<Comparison | null> {
  const report = await lifecycleReport(engine, input, { retention: false });
  const now = report.periods.at(-1);
  const before = report.periods.at(-2);
  if (!now || !before || now.partial || before.partial) return null;
  const name = (p: LifecyclePeriod) => `the ${input.period} of ${p.period_start}`;
  return {
    now,
    before,
    flows: report.flows.filter((f) => f.period_start === now.period_start),
    between: `between ${name(before)} and ${name(now)}`,
    period: input.period,
  };
}

function decide(
  engine: Engine,
  ctx: EvaluationContext,
  input: LifecycleInput,
  trigger: AlertTrigger,
  c: Comparison,
  playbook: string,
): Promise<Alert | null> | Alert | null {
  switch (trigger.on) {
    case 'power_user_count_changed':
      return countAlert(trigger, c);
    case 'power_user_share_changed':
      return shareAlert(trigger, c);
    case 'curve_top_bucket_shrank':
      return topBucketAlert(engine, ctx, input, trigger, c, playbook);
    case 'lifecycle_flow':
      return flowAlert(trigger, c);
  }
}

/**
 * Who left and who came: the power users lost (state lost now) and those who became one (new,
 * back, or already at risk): after = before - lost + gained, so gained follows from the counts.
 */
function turnover(c: Comparison): { lost: number; gained: number } {
  const lost = c.now.states.lost;
  return { lost, gained: c.now.power_users - c.before.power_users + lost };
}

/** Whether a move of `change` (signed) passes `threshold` in the direction asked. */
function inDirection(direction: 'up' | 'down' | 'either', change: number, passes: boolean) {
  if (!passes || change === 0) return false;
  return direction === 'either' || (direction === 'up') === change > 0;
}

function countAlert(
  t: Extract<AlertTrigger, { on: 'power_user_count_changed' }>,
  c: Comparison,
): Alert | null {
  const before = c.before.power_users;
  const after = c.now.power_users;
  const change = after - before;
  // From 0 any rise passes.
  const passes =
    before === 0 ? change > 0 : atLeastPercent(Math.abs(change), before, t.min_percent);
  if (!inDirection(t.direction, change, passes)) return null;
  const relative = before === 0 ? null : (100 * change) / before;
  const { lost, gained } = turnover(c);
  const moved = change > 0 ? 'rose' : 'fell';
  const by = relative === null ? '' : ` (${signed(relative)}%)`;
  return {
    explanation: `power users ${moved} from ${before} to ${after}${by} ${c.between}: ${lost} lost, ${gained} new or back (threshold ${oneDecimal(t.min_percent)}%)`,
    data: {
      measure: 'power_users',
      before,
      after,
      change,
      change_percent: relative === null ? null : Math.round(relative * 10) / 10,
      threshold: t.min_percent,
      direction: t.direction,
      changed: `power_users: ${before} → ${after}`,
      lost,
      gained,
    },
  };
}

function shareAlert(
  t: Extract<AlertTrigger, { on: 'power_user_share_changed' }>,
  c: Comparison,
): Alert | null {
  const before = share(c.before.power_users, c.before.active_users);
  const after = share(c.now.power_users, c.now.active_users);
  const points = 100 * (after - before);
  if (!inDirection(t.direction, points, Math.abs(points) >= t.min_points - EPSILON)) return null;
  const { lost, gained } = turnover(c);
  const moved = points > 0 ? 'rose' : 'fell';
  return {
    explanation: `the power users' share of active users ${moved} from ${percent(before)} to ${percent(after)} (${signed(points)} points) ${c.between}: ${c.before.power_users} of ${c.before.active_users} active users, then ${c.now.power_users} of ${c.now.active_users}; ${lost} lost, ${gained} new or back (threshold ${oneDecimal(t.min_points)} points)`,
    data: {
      measure: 'power_user_share',
      before: Number(oneDecimal(100 * before)),
      after: Number(oneDecimal(100 * after)),
      change: Number(oneDecimal(points)),
      threshold: t.min_points,
      direction: t.direction,
      changed: `power_user_share: ${percent(before)} → ${percent(after)}`,
      power_users_before: c.before.power_users,
      power_users: c.now.power_users,
      active_users_before: c.before.active_users,
      active_users: c.now.active_users,
      lost,
      gained,
    },
  };
}

async function topBucketAlert(
  engine: Engine,
  ctx: EvaluationContext,
  input: LifecycleInput,
  t: Extract<AlertTrigger, { on: 'curve_top_bucket_shrank' }>,
  c: Comparison,
  playbook: string,
): Promise<Alert | null> {
  const windowDays = resolveDefinition(ctx.config, { name: input.definition }).window_days;
  if (t.top_days !== undefined && t.top_days > windowDays) {
    throw new PlaybookError(
      `playbook "${playbook}": top_days ${t.top_days} is more than the ${windowDays} days of definition "${input.definition}"'s window, so no user can be in the top bucket: use at most ${windowDays}, or leave it out for the top third (${defaultTopDays(windowDays)}+ days)`,
    );
  }
  const topDays = t.top_days ?? defaultTopDays(windowDays);
  const q = compileCurveTop(
    engine.dialect,
    input,
    { now: c.now.period_start, before: c.before.period_start },
    topDays,
  );
  const rows = await engine.query<{
    start: string;
    active_users: number | bigint;
    top_users: number | bigint;
  }>(q.sql, q.params);
  const at = (start: string) => {
    const r = rows.find((x) => x.start === start);
    return { active: Number(r?.active_users ?? 0), top: Number(r?.top_users ?? 0) };
  };
  const b = at(c.before.period_start);
  const n = at(c.now.period_start);
  const before = share(b.top, b.active);
  const after = share(n.top, n.active);
  const fell = 100 * (before - after);
  if (fell <= 0 || fell < t.min_points - EPSILON) return null;
  return {
    explanation: `the top of the activity curve shrank: users active on ${topDays} or more of the ${windowDays} days of the window fell from ${percent(before)} to ${percent(after)} of active users (${signed(-fell)} points) ${c.between}: ${b.top} of ${b.active}, then ${n.top} of ${n.active} (threshold ${oneDecimal(t.min_points)} points)`,
    data: {
      measure: 'curve_top_bucket',
      before: Number(oneDecimal(100 * before)),
      after: Number(oneDecimal(100 * after)),
      change: Number(oneDecimal(-fell)),
      threshold: t.min_points,
      changed: `top_bucket_share: ${percent(before)} → ${percent(after)}`,
      top_days: topDays,
      window_days: windowDays,
      top_users_before: b.top,
      top_users: n.top,
      active_users_before: b.active,
      active_users: n.active,
    },
  };
}

/** A flow state as the report spells it ('' for none) and as a sentence says it. */
const reportState = (s: string) => (s === 'none' ? '' : s);
const stateWords = (s: string) => (s === 'none' ? 'none (in no state)' : s);

function flowAlert(
  t: Extract<AlertTrigger, { on: 'lifecycle_flow' }>,
  c: Comparison,
): Alert | null {
  // The period before is the baseline: it has no states, so nobody moved from one.
  if (c.before.baseline) return null;
  const from = reportState(t.from);
  const to = reportState(t.to);
  const moved = c.flows
    .filter((f) => f.from === from && f.to === to)
    .reduce((sum, f) => sum + f.users, 0);
  // 'none' has no size of its own (anyone in no state, active or not): measured against the
  // users active in the period before.
  const fromUsers = t.from === 'none' ? c.before.active_users : c.before.states[t.from];
  const fromWords = t.from === 'none' ? 'users active' : t.from;
  const ofFrom = fromUsers > 0 ? (100 * moved) / fromUsers : null;
  if (moved === 0) return null;
  if (t.min_users !== undefined && moved < t.min_users) return null;
  if (
    t.min_percent !== undefined &&
    (fromUsers === 0 || !atLeastPercent(moved, fromUsers, t.min_percent))
  )
    return null;
  const thresholds = [
    t.min_users !== undefined ? users(t.min_users) : null,
    t.min_percent !== undefined ? `${oneDecimal(t.min_percent)}%` : null,
  ].filter((x) => x !== null);
  const share =
    ofFrom === null
      ? ''
      : `: ${oneDecimal(ofFrom)}% of the ${fromUsers} ${fromWords} the ${c.period} before`;
  const outOf = c.flows
    .filter((f) => f.from === from)
    .map((f) => `${f.from || 'none'} → ${f.to || 'none'}: ${f.users}`);
  return {
    explanation: `${users(moved)} went from ${stateWords(t.from)} to ${stateWords(t.to)} ${c.between}${share} (threshold ${thresholds.join(' and ')})`,
    data: {
      measure: 'lifecycle_flow',
      from: t.from,
      to: t.to,
      before: fromUsers,
      after: moved,
      change: ofFrom === null ? null : Math.round(ofFrom * 10) / 10,
      threshold: thresholds.join(' and '),
      min_users: t.min_users ?? null,
      min_percent: t.min_percent ?? null,
      changed: `${t.from} → ${t.to}: ${moved} of ${fromUsers}`,
      flows_from: outOf,
    },
  };
}
