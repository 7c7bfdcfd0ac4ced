import { createHash } from 'node:crypto';
import type { Trigger } from '../model/playbook.js';

/**
 * The stable identity of an occurrence: the same playbook, trigger, subject and period give the
 * same id, so an evaluation repeated records nothing new.
 */

/** What the trigger is, in the occurrence id: its kind, with its state or segment. */
export function triggerKey(trigger: Trigger): string {
  if (trigger.on === 'entered_state') return `${trigger.on}:${trigger.state}`;
  if (trigger.on === 'joined_segment' || trigger.on === 'left_segment')
    return `${trigger.on}:${trigger.segment}`;
  if (trigger.on === 'mastered_feature') return `${trigger.on}:${trigger.feature}`;
  if (trigger.on === 'account_signal') return `${trigger.on}:${trigger.signal}`;
  if (trigger.on === 'lifecycle_flow') return `${trigger.on}:${trigger.from}>${trigger.to}`;
  return trigger.on;
}

/** sha256, hex, of JSON [project, playbook, trigger (with state or segment), subject, period]. */
export function occurrenceId(
  projectId: string,
  playbook: string,
  trigger: Trigger,
  subjectId: string,
  periodStart: string,
): string {
  const key = JSON.stringify([projectId, playbook, triggerKey(trigger), subjectId, periodStart]);
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * For a trigger that fires once per subject ever (mastered_feature): sha256, hex, of JSON
 * [project, playbook, trigger, subject], no period, so a later period meeting the rule again
 * gives the same id and is not recorded again. Four items, so it never equals a periodic id.
 */
export function onceOccurrenceId(
  projectId: string,
  playbook: string,
  trigger: Trigger,
  subjectId: string,
): string {
  const key = JSON.stringify([projectId, playbook, triggerKey(trigger), subjectId]);
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
