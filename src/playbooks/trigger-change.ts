import { recentAgainstUsual, type StateFacts, stateReason } from '../lifecycle/state-reason.js';
import type { Trigger } from '../model/playbook.js';
import type { Segment } from '../model/segments.js';
import type { LifecycleState } from '../sql/compile-lifecycle.js';

/**
 * One user in the period evaluated and the period before: the lifecycle state in each ('' for
 * none), both stored snapshots (`present`: in this period's snapshot, i.e. active in its window)
 * and the facts the lifecycle's reason is written from.
 */
export interface UserPair extends Omit<StateFacts, 'state'> {
  user_id: string;
  period_start: string;
  state: LifecycleState | '';
  previous_state: LifecycleState | '';
  account_id: string;
  present: boolean;
  was_present: boolean;
  is_power_user: boolean;
  was_power_user: boolean;
  score: number;
  /** null: not in the snapshot of the period before. */
  previous_score: number | null;
  segments: string[];
  previous_segments: string[];
  attainment: number;
}

/** A trigger that fired: why, in one sentence, and what changed. */
export interface Change {
  explanation: string;
  data: Record<string, string | number | boolean | null>;
}

export interface ChangeContext {
  /** The period kind, for the sentence ("the week before"). */
  period: string;
  /** The segments in force, for a segment's label and criteria (may be empty). */
  segments: readonly Segment[];
}

const STATE_WORDS: Record<LifecycleState, string> = {
  new: 'new',
  retained: 'retained',
  resurrected: 'resurrected',
  at_risk: 'at risk',
  lost: 'lost',
  emerging: 'emerging',
};

/** "score 62 the week before, 79 now", saying so where the user was not in a snapshot. */
function scores(u: UserPair, period: string): string {
  const before =
    u.previous_score === null
      ? `not active the ${period} before`
      : `score ${u.previous_score} the ${period} before`;
  return `${before}, ${u.present ? `score ${u.score}` : 'not active'} now`;
}

/**
 * Whether the trigger fires for the user, decided on the lifecycle's states where there is one
 * (became: new, resurrected, or at risk without having been a power user the period before;
 * stopped: lost; entered a state: in it now and not in the period before) and on the stored
 * segments; null when it does not.
 */
export function triggerChange(trigger: Trigger, u: UserPair, ctx: ChangeContext): Change | null {
  const when = `in the ${ctx.period} of ${u.period_start}`;
  const facts = (state: LifecycleState): StateFacts => ({ ...u, state });
  switch (trigger.on) {
    case 'became_power_user': {
      const became =
        u.state === 'new' ||
        u.state === 'resurrected' ||
        (u.state === 'at_risk' && !u.was_power_user);
      if (!became || u.state === '') return null;
      const why =
        u.state === 'at_risk'
          ? `not one the ${ctx.period} before, and already at risk: ${recentAgainstUsual(facts('at_risk'))}`
          : stateReason(facts(u.state), ctx.period);
      return {
        explanation: `became a power user ${when} (${scores(u, ctx.period)}): ${why}`,
        data: { changed: 'is_power_user: false → true' },
      };
    }
    case 'stopped_power_user': {
      if (u.state !== 'lost') return null;
      return {
        explanation: `stopped being a power user ${when} (${scores(u, ctx.period)}): ${stateReason(facts('lost'), ctx.period)}`,
        data: { changed: 'is_power_user: true → false' },
      };
    }
    case 'entered_state': {
      if (u.state !== trigger.state || u.previous_state === trigger.state) return null;
      const score = u.present ? `score ${u.score}` : 'not active';
      return {
        explanation: `${STATE_WORDS[trigger.state]} ${when} (${score}): ${stateReason(facts(trigger.state), ctx.period)}`,
        data: { changed: `state: ${u.previous_state || 'none'} → ${u.state}` },
      };
    }
    case 'joined_segment':
    case 'left_segment': {
      const joined = trigger.on === 'joined_segment';
      const now = u.segments.includes(trigger.segment);
      const before = u.previous_segments.includes(trigger.segment);
      if (joined ? !now || before : now || !before) return null;
      return {
        explanation: segmentSentence(trigger.segment, joined, u, ctx, when),
        data: {
          changed: `segments: ${joined ? '+' : '-'} ${trigger.segment}`,
          segment: trigger.segment,
        },
      };
    }
    default:
      // Mastery, account and project triggers are not decided on the lifecycle's user pairs.
      return null;
  }
}

/** "joined the segment Advocate (advocate) in the week of ...: invites and shares ...". */
function segmentSentence(
  name: string,
  joined: boolean,
  u: UserPair,
  ctx: ChangeContext,
  when: string,
): string {
  const segment = ctx.segments.find((s) => s.name === name);
  const label = segment && segment.label !== name ? `${segment.label} (${name})` : name;
  const criteria = segment?.description ? segment.description : 'its criteria';
  const head = `${joined ? 'joined' : 'left'} the segment ${label} ${when} (${scores(u, ctx.period)})`;
  if (joined) {
    const power = u.was_power_user ? 'a power user' : `a power user new this ${ctx.period}`;
    return `${head}: ${power} who now meets ${segment?.description ? `its criteria: ${criteria}` : criteria}`;
  }
  if (!u.is_power_user) return `${head}: no longer a power user, and segments are of power users`;
  return `${head}: still a power user, but no longer meets ${segment?.description ? `its criteria: ${criteria}` : criteria}`;
}
