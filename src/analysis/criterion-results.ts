import { type Criterion, criteriaOf, type Definition, type RuleNode } from '../model/definition.js';
import { SIGNAL_NAMES, SIGNALS, type SignalName, type SignalValues } from '../model/signals.js';
import { criterionThreshold } from '../sql/compile-score.js';

/**
 * What decided a score: each criterion of a rule with its value, bar, rank and whether it passed
 * and decided the verdict, or each weighted signal of a composite score with its rank.
 */

export interface CriterionResult {
  id: string;
  label: string;
  signal: SignalName;
  /** min, max, top_percent, or min_share (then `threshold` is the resolved minimum). */
  op: Criterion['op'];
  /** The bar: an absolute value, or for top_percent the share of users in percent (20 = top 20%). */
  threshold: number;
  /** The user's value; null for a signal the user has no value of (a trend with no baseline). */
  value: number | null;
  /** The user's rank as "top X%" of active users (ties share the rank). */
  top_percent: number;
  passed: boolean;
  /** Whether this criterion decided the verdict (see decidingCriteria). */
  decisive: boolean;
}

export interface Contribution {
  signal: SignalName;
  weight: number;
  value: number | null;
  top_percent: number;
}

export type ScoredRow = Record<string, unknown> & {
  user_id: string;
  account_id: string;
  score: number;
  is_power_user: boolean;
  advanced_list: string[];
};

export function num(row: Record<string, unknown>, key: string): number {
  const v = row[key];
  return typeof v === 'number' ? v : Number(v ?? 0);
}

/** A signal's value in a row: null for a nullable signal without one, else a number. */
export function signalValue(row: Record<string, unknown>, signal: SignalName): number | null {
  const v = row[signal];
  return SIGNALS[signal].nullable && (v === null || v === undefined) ? null : num(row, signal);
}

/**
 * The user's rank as a percentage, rounded up so it never claims a better rank than the true one
 * (a share of 20.1% is "top 21%", which fails "top 20%"); "top 1%" is the best there is.
 */
export const topPct = (share: number): number => Math.max(1, Math.ceil(share * 100 - 1e-9));

/**
 * The criteria that decided the verdict. Passing: every criterion on a passing path (all
 * children of an "all", the passing children of an "any" or "at least"). Failing: the failed
 * children of an "all" or "at least", every child of an "any" (none held).
 */
export function decidingCriteria(node: RuleNode, passed: (c: Criterion) => boolean): string[] {
  const holds = (n: RuleNode): boolean =>
    n.type === 'criterion' ? passed(n) : n.children.filter(holds).length >= n.k;
  const walk = (n: RuleNode): string[] => {
    if (n.type === 'criterion') return [n.id];
    const ok = holds(n);
    const pick = n.children.filter((c) => (ok ? holds(c) : n.type === 'any' || !holds(c)));
    return pick.flatMap(walk);
  };
  return walk(node);
}

export function criteriaResults(definition: Definition, row: ScoredRow): CriterionResult[] {
  if (definition.kind !== 'rule') return [];
  const passed = (c: Criterion) => row[`pass_${c.id}`] === true;
  const decisive = new Set(decidingCriteria(definition.rule, passed));
  return criteriaOf(definition.rule).map((c) => ({
    id: c.id,
    label: c.label,
    signal: c.signal,
    op: c.op,
    threshold: criterionThreshold(c, definition.window_days),
    value: signalValue(row, c.signal),
    top_percent: topPct(num(row, `top_${c.signal}`)),
    passed: passed(c),
    decisive: decisive.has(c.id),
  }));
}

export function contributions(definition: Definition, row: ScoredRow): Contribution[] {
  if (definition.kind !== 'score') return [];
  return definition.weights.map((w) => ({
    signal: w.signal,
    weight: w.weight,
    value: signalValue(row, w.signal),
    top_percent: topPct(num(row, `top_${w.signal}`)),
  }));
}

/** Every signal of a scored row, as plain numbers (null for a nullable signal without one). */
export function signalValues(row: ScoredRow): SignalValues {
  return Object.fromEntries(SIGNAL_NAMES.map((s) => [s, signalValue(row, s)])) as SignalValues;
}
