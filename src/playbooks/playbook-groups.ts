import type { Playbook } from '../model/playbook.js';
import type { Occurrence } from './occurrence.js';

/** Text order by code unit, the same on every machine (not the locale's). */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The order occurrences are reported and recorded in: by playbook, period, then subject. */
export function byOccurrenceOrder(a: Occurrence, b: Occurrence): number {
  return (
    compareText(a.playbook, b.playbook) ||
    compareText(a.period_start, b.period_start) ||
    compareText(a.subject_id, b.subject_id)
  );
}

/**
 * The enabled playbooks that `keep` takes, grouped by the definition each watches (its own, or
 * `defaultDefinition`): each family reads one definition's data once for all its playbooks.
 */
export function byDefinition<P extends Playbook>(
  playbooks: Readonly<Record<string, Playbook>>,
  defaultDefinition: string,
  keep: (p: Playbook) => p is P,
): Map<string, [string, P][]> {
  const out = new Map<string, [string, P][]>();
  for (const [name, playbook] of Object.entries(playbooks)) {
    if (!playbook.enabled || !keep(playbook)) continue;
    const definition = playbook.definition ?? defaultDefinition;
    out.set(definition, [...(out.get(definition) ?? []), [name, playbook]]);
  }
  return out;
}
