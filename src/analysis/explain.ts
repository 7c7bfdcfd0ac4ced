import type { Criterion, Definition, SignalName } from './default-definition.js';

export interface ConditionResult {
  signal: SignalName;
  value: number;
  /** The absolute minimum, or for a relative condition the top share required (e.g. 0.2). */
  threshold: number;
  kind: 'min' | 'top_percent';
  /** Share of active users with a value at least this user's: 0.08 = top 8%. */
  top_share: number;
  passed: boolean;
}

export interface CriterionResult {
  id: string;
  label: string;
  required: boolean;
  passed: boolean;
  conditions: ConditionResult[];
}

export type ScoredRow = Record<string, unknown> & {
  user_id: string;
  account_id: string;
  score: number;
  is_power_user: boolean;
  advanced_list: string[];
};

function num(row: Record<string, unknown>, key: string): number {
  const v = row[key];
  return typeof v === 'number' ? v : Number(v ?? 0);
}

export function criteriaResults(definition: Definition, row: ScoredRow): CriterionResult[] {
  return definition.criteria.map((c: Criterion) => ({
    id: c.id,
    label: c.label,
    required: c.required,
    passed: row[`pass_${c.id}`] === true,
    conditions: c.any.map((a) => {
      const value = num(row, a.signal);
      const top_share = num(row, `top_${a.signal}`);
      const relative = a.top_percent !== undefined;
      const threshold = relative ? (a.top_percent ?? 0) / 100 : (a.min ?? 0);
      return {
        signal: a.signal,
        value,
        threshold,
        kind: relative ? 'top_percent' : 'min',
        top_share,
        passed: relative ? top_share <= threshold : value >= threshold,
      };
    }),
  }));
}

const pct = (share: number): string => `${Math.max(1, Math.round(share * 100))}%`;

/** One plain sentence a product manager can read: what this user does, with ranks. */
export function explainSentence(row: ScoredRow, windowDays: number): string {
  const parts: string[] = [];
  parts.push(
    `active ${num(row, 'days_active')} of ${windowDays} days (top ${pct(num(row, 'top_days_active'))})`,
  );
  const core = num(row, 'core_features');
  const adv = num(row, 'advanced_features');
  const advNames = row.advanced_list.slice(0, 3).join(', ');
  parts.push(
    adv > 0
      ? `${core} core + ${adv} advanced features (${advNames}${adv > 3 ? ', ...' : ''})`
      : `${core} core features, no advanced one`,
  );
  const actions = num(row, 'actions');
  const actionsTop = row.top_actions === undefined ? '' : ` (top ${pct(num(row, 'top_actions'))})`;
  parts.push(`${actions.toLocaleString('en-US')} actions${actionsTop}`);
  const collab = num(row, 'collaboration');
  if (collab > 0) parts.push(`invited or shared ${collab} time${collab === 1 ? '' : 's'}`);
  const weeks = num(row, 'active_weeks');
  parts.push(`active ${weeks} of the last 13 weeks`);
  return parts.join('; ');
}
