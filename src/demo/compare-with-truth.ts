import { readFileSync } from 'node:fs';
import type { UserResult } from '../analysis/score-users.js';

export interface TruthPerson {
  user_id: string;
  account_id: string;
  type: string;
  archetypes: string[];
}

export interface TruthCheck {
  planted_power_users: number;
  found_power_users: number;
  true_positives: number;
  precision: number;
  recall: number;
  /** How many users of each planted type the definition called power users. */
  flagged_by_type: Record<string, { users: number; flagged: number }>;
}

export function readTruth(path: string): TruthPerson[] {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { people: TruthPerson[] };
  return parsed.people;
}

/** Precision and recall of the found power users against the generator's planted ones. */
export function compareWithTruth(results: readonly UserResult[], truth: readonly TruthPerson[]) {
  const found = new Set(results.filter((r) => r.is_power_user).map((r) => r.user_id));
  const planted = new Set(truth.filter((t) => t.type === 'power').map((t) => t.user_id));
  let tp = 0;
  for (const u of found) if (planted.has(u)) tp++;
  const byType: TruthCheck['flagged_by_type'] = {};
  for (const t of truth) {
    const entry = byType[t.type] ?? { users: 0, flagged: 0 };
    entry.users++;
    if (found.has(t.user_id)) entry.flagged++;
    byType[t.type] = entry;
  }
  const check: TruthCheck = {
    planted_power_users: planted.size,
    found_power_users: found.size,
    true_positives: tp,
    precision: found.size > 0 ? tp / found.size : 0,
    recall: planted.size > 0 ? tp / planted.size : 0,
    flagged_by_type: byType,
  };
  return check;
}
