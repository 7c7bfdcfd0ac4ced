import { type AccountTraits, readAccountTraits } from '../analysis/explain-traits.js';
import type { Engine } from '../engines/engine.js';
import { attainmentHistory } from '../lifecycle/lifecycle-report.js';
import { latestSnapshotPeriod } from '../lifecycle/snapshot-status.js';
import type { LifecycleRules } from '../model/lifecycle-config.js';
import type { Playbook, Trigger } from '../model/playbook.js';
import type { Segment } from '../model/segments.js';
import type { LifecycleInput } from '../sql/compile-lifecycle.js';
import { compileStoredPeriodsSince } from '../sql/compile-snapshots.js';
import { compileTriggerCandidates } from '../sql/compile-triggers.js';
import { type PeriodKind, periodOf } from '../time/periods.js';
import { passes } from './filters.js';
import type { Occurrence } from './occurrence.js';
import { occurrenceId } from './occurrence-ids.js';
import { byDefinition, byOccurrenceOrder, compareText } from './playbook-groups.js';
import { type Change, triggerChange, type UserPair } from './trigger-change.js';

export interface TriggerOptions {
  projectId: string;
  /**
   * The definition a playbook without `definition:` watches: the config's default definition
   * (`default_definition`, else 'default').
   */
  definition: string;
  /** The snapshot period kind compared (lifecycle.period). */
  period: PeriodKind;
  /** The lifecycle thresholds the states are decided by. */
  rules: LifecycleRules;
  playbooks: Record<string, Playbook>;
  /**
   * The period to evaluate: its first day (or any day in it); default: each definition's latest
   * stored period.
   */
  periodStart?: string | undefined;
  /** The segments in force, to name a segment with its label and criteria in a sentence. */
  segments?: readonly Segment[] | undefined;
  /**
   * Per playbook, the first day of the last period evaluated before (its cursor): that period
   * and every stored one after it are evaluated, at most MAX_CATCH_UP_PERIODS of them. A
   * playbook without one is evaluated in the latest period only.
   */
  since?: ReadonlyMap<string, string> | undefined;
}

/** The most periods one run evaluates for a playbook that fell behind (a quarter of weeks). */
export const MAX_CATCH_UP_PERIODS = 13;

/** The occurrences, and per playbook the latest period evaluated (its new cursor). */
export interface TriggerEvaluation {
  occurrences: Occurrence[];
  reached: Map<string, string>;
}

/** A candidate as the query returns it: segments as stored text, attainments as columns. */
type CandidateRow = Omit<UserPair, 'segments' | 'previous_segments' | 'attainment_history'> & {
  segments: string;
  previous_segments: string;
  [att: `att_${number}`]: number | null;
};

/**
 * Who each enabled playbook fires for in one snapshot period, against the stored period before
 * it (docs/playbooks.md, "Triggers and filters"): the trigger decided on the lifecycle's states
 * and the stored snapshots, then the filters (segments and score now, the account's traits).
 * Each playbook watches its own definition's snapshots. Ids are stable: the same snapshots give
 * the same occurrences, so evaluating twice fires nothing new. Ordered by playbook, then user.
 */
export async function evaluateTriggers(
  engine: Engine,
  options: TriggerOptions,
): Promise<Occurrence[]> {
  return (await evaluateTriggersSince(engine, options)).occurrences;
}

/**
 * evaluateTriggers, each playbook from its cursor (`since`) to the latest period, with the
 * period each one reached.
 */
export async function evaluateTriggersSince(
  engine: Engine,
  options: TriggerOptions,
): Promise<TriggerEvaluation> {
  const groups = byDefinition(options.playbooks, options.definition, (p): p is Playbook =>
    isLifecycleTrigger(p.trigger),
  );
  const out: Occurrence[] = [];
  const reached = new Map<string, string>();
  for (const [definition, playbooks] of groups) {
    const input: LifecycleInput = {
      projectId: options.projectId,
      definition,
      period: options.period,
      rules: options.rules,
      dialect: engine.dialect,
    };
    const start =
      options.periodStart !== undefined
        ? periodOf(options.periodStart, options.period).start
        : await latestSnapshotPeriod(engine, input);
    if (!start) continue;
    const byPeriod = await periodsToEvaluate(engine, input, start, playbooks, options.since);
    const context = { period: options.period, segments: options.segments ?? [] };
    for (const [period, due] of byPeriod) {
      // Oldest first, so each playbook's last is the latest period it was evaluated in.
      for (const [name] of due) reached.set(name, period);
      const users = await candidates(engine, input, period);
      const traits = due.some(([, p]) => p.filters.account_traits)
        ? await readAccountTraits(
            engine,
            options.projectId,
            users.map((u) => u.account_id),
          )
        : new Map<string, AccountTraits>();
      for (const [name, playbook] of due) {
        for (const user of users) {
          const change = triggerChange(playbook.trigger, user, context);
          if (!change || !passes(playbook.filters, user, traits.get(user.account_id))) continue;
          out.push(occurrence(options.projectId, name, playbook.trigger, user, change));
        }
      }
    }
  }
  out.sort(byOccurrenceOrder);
  return { occurrences: out, reached };
}

/**
 * The periods each playbook is evaluated in, oldest first: from its cursor on (the stored ones
 * up to `latest`, the oldest MAX_CATCH_UP_PERIODS of them: a playbook further behind goes on
 * from where this run stopped next time), or `latest` alone without a cursor.
 */
async function periodsToEvaluate(
  engine: Engine,
  input: LifecycleInput,
  latest: string,
  playbooks: [string, Playbook][],
  since: ReadonlyMap<string, string> | undefined,
): Promise<Map<string, [string, Playbook][]>> {
  const out = new Map<string, [string, Playbook][]>();
  const add = (period: string, entry: [string, Playbook]) =>
    out.set(period, [...(out.get(period) ?? []), entry]);
  const earliest = playbooks
    .map(([name]) => since?.get(name))
    .filter((p): p is string => p !== undefined && p < latest)
    .sort()[0];
  let stored: string[] = [];
  if (earliest !== undefined) {
    const q = compileStoredPeriodsSince(engine.dialect, input, earliest);
    const rows = await engine.query<{ start: string }>(q.sql, q.params);
    stored = rows.map((r) => r.start).filter((p) => p < latest);
  }
  for (const entry of playbooks) {
    const from = since?.get(entry[0]);
    const behind = from === undefined ? [] : stored.filter((p) => p >= from);
    const periods = [...behind, latest].slice(0, MAX_CATCH_UP_PERIODS);
    for (const period of periods) add(period, entry);
  }
  return new Map([...out].sort(([a], [b]) => compareText(a, b)));
}

/** The user triggers decided on the lifecycle's states and the stored segments. */
export function isLifecycleTrigger(trigger: Trigger): boolean {
  return (
    trigger.on === 'became_power_user' ||
    trigger.on === 'stopped_power_user' ||
    trigger.on === 'entered_state' ||
    trigger.on === 'joined_segment' ||
    trigger.on === 'left_segment'
  );
}

/** The users with a state or segments in the period, with their snapshots now and before. */
async function candidates(
  engine: Engine,
  input: LifecycleInput,
  periodStart: string,
): Promise<UserPair[]> {
  const q = compileTriggerCandidates(input, periodStart);
  const rows = await engine.query<CandidateRow>(q.sql, q.params);
  const n = input.rules.emergingPeriods;
  return rows.map((r) => {
    return {
      user_id: r.user_id,
      period_start: r.period_start,
      state: r.state,
      previous_state: r.previous_state,
      account_id: r.account_id,
      present: Boolean(r.present),
      was_present: Boolean(r.was_present),
      is_power_user: Boolean(r.is_power_user),
      was_power_user: Boolean(r.was_power_user),
      score: Number(r.score),
      previous_score: r.previous_score === null ? null : Number(r.previous_score),
      segments: r.segments.split(';').filter(Boolean),
      previous_segments: r.previous_segments.split(';').filter(Boolean),
      days_active: Number(r.days_active),
      days_active_7: Number(r.days_active_7),
      events_7: Number(r.events_7),
      baseline_days_active: Number(r.baseline_days_active),
      baseline_events: Number(r.baseline_events),
      baseline_days: Number(r.baseline_days),
      attainment: Number(r.attainment),
      attainment_history: attainmentHistory(r, n),
    };
  });
}

function occurrence(
  projectId: string,
  playbook: string,
  trigger: Trigger,
  user: UserPair,
  change: Change,
): Occurrence {
  return {
    occurrence_id: occurrenceId(projectId, playbook, trigger, user.user_id, user.period_start),
    project_id: projectId,
    playbook,
    trigger: trigger.on,
    subject_type: 'user',
    subject_id: user.user_id,
    account_id: user.account_id,
    period_start: user.period_start,
    explanation: change.explanation,
    data: {
      score: user.present ? user.score : null,
      previous_score: user.previous_score,
      is_power_user: user.is_power_user,
      was_power_user: user.was_power_user,
      state: user.state || null,
      previous_state: user.previous_state || null,
      segments: user.segments,
      previous_segments: user.previous_segments,
      account_id: user.account_id,
      ...change.data,
    },
  };
}
