import { SIGNAL_NAMES } from '../model/signals.js';
import { toCsv } from './csv-cell.js';
import type { UserTraitFields } from './explain-traits.js';
import type { UserResult } from './score-users.js';

/** Trait columns, each present when some user in the file has it (docs/events.md, "Traits"). */
const TRAIT_COLUMNS: readonly (keyof UserTraitFields)[] = ['email', 'name', 'account_name', 'plan'];

/** One flat row per user: the verdict, every signal, the sentence. */
export function usersCsv(users: readonly UserResult[]): string {
  const traits = TRAIT_COLUMNS.filter((c) => users.some((u) => u[c] !== undefined));
  const header = [
    'user_id',
    'account_id',
    ...traits,
    'score',
    'is_power_user',
    'criteria_met',
    'criteria_total',
    ...SIGNAL_NAMES,
    'segments',
    'reason',
  ];
  const rows = users.map((u) => [
    u.user_id,
    u.account_id,
    ...traits.map((c) => u[c] ?? ''),
    u.score,
    u.is_power_user,
    u.criteria.filter((c) => c.passed).length,
    u.criteria.length,
    ...SIGNAL_NAMES.map((s) => u.signals[s]),
    u.segments.map((s) => s.segment).join(';'),
    u.reason,
  ]);
  return toCsv([header, ...rows]);
}
