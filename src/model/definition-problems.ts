import { GROUP_KEYS, type RuleInput } from './rule-input.js';
import { SIGNALS, type SignalName } from './signals.js';

export interface Problem {
  path: (string | number)[];
  message: string;
}

/** Thresholds no user can ever meet (or that every user meets), for a window of `windowDays`. */
export function definitionProblems(
  d: { rule?: RuleInput | undefined },
  windowDays: number,
): Problem[] {
  const problems: Problem[] = [];
  const ids = new Map<string, string>();
  const walk = (node: RuleInput, path: (string | number)[]) => {
    if (node.signal !== undefined) {
      const info = SIGNALS[node.signal as SignalName];
      if (!info) return;
      const id = node.id ?? node.signal;
      const where = path.join('.');
      if (ids.has(id)) {
        problems.push({
          path: [...path, 'id'],
          message: `two criteria are called "${id}" (also at ${ids.get(id)}): give each its own id:`,
        });
      }
      ids.set(id, where);
      const max = info.maxFor?.(windowDays);
      if (node.min !== undefined && max !== undefined && node.min > max) {
        problems.push({
          path: [...path, 'min'],
          message: `impossible threshold: ${node.signal} is at most ${max} in a ${windowDays}-day window, min is ${node.min}; try min: ${Math.max(1, Math.ceil((max * 2) / 3))} or min_share: 0.67`,
        });
      }
      if (node.min !== undefined && node.min < 0 && node.signal !== 'trend') {
        problems.push({ path: [...path, 'min'], message: `min ${node.min} is below zero` });
      }
      if (node.max !== undefined && node.max < 0 && node.signal !== 'trend') {
        problems.push({
          path: [...path, 'max'],
          message: `impossible threshold: ${node.signal} is never below zero, max is ${node.max}`,
        });
      }
      if (node.top_percent !== undefined && !(node.top_percent > 0 && node.top_percent <= 100)) {
        problems.push({
          path: [...path, 'top_percent'],
          message: `top_percent ${node.top_percent} is not a share of users: use a number above 0 and up to 100`,
        });
      }
      if (node.min_share !== undefined) {
        if (max === undefined) {
          problems.push({
            path: [...path, 'min_share'],
            message: `${node.signal} has no largest value to take a share of: use min or top_percent`,
          });
        } else if (!(node.min_share > 0 && node.min_share <= 1)) {
          problems.push({
            path: [...path, 'min_share'],
            message: `min_share ${node.min_share} is not a share: use a number above 0 and up to 1 (0.67 = two thirds)`,
          });
        }
      }
      return;
    }
    for (const key of GROUP_KEYS) {
      for (const [i, child] of (node[key] ?? []).entries()) walk(child, [...path, key, i]);
    }
  };
  if (d.rule) walk(d.rule, ['rule']);
  return problems;
}

/**
 * A warning about a definition that runs but whose verdicts may mislead: one that can be met on
 * frequency alone (`single_metric`), or one whose criterion the data's history cannot support
 * (`history`, with the days it needs and the days there are; src/analysis/verdict-warnings.ts).
 */
export interface DefinitionWarning {
  kind: 'single_metric' | 'history';
  /** The criteria it is about: criterion ids, or a composite's weighted signals. */
  criteria: string[];
  /** history: the days of data before the as-of date the criterion needs, and those there are. */
  needs_days?: number;
  history_days?: number;
  message: string;
}

/**
 * A rule tree as either form has it: as written (RuleInput, with all / any / at_least + of) or
 * resolved (model/definition.ts's RuleNode, with `k` and `children`).
 */
export interface SignalTree {
  id?: string | undefined;
  signal?: string | undefined;
  k?: number;
  children?: readonly SignalTree[];
  all?: readonly SignalTree[] | undefined;
  any?: readonly SignalTree[] | undefined;
  of?: readonly SignalTree[] | undefined;
  at_least?: number | undefined;
}

function childrenOf(node: SignalTree): { k: number; children: readonly SignalTree[] } {
  if (node.children) return { k: node.k ?? node.children.length, children: node.children };
  if (node.all) return { k: node.all.length, children: node.all };
  if (node.any) return { k: 1, children: node.any };
  return { k: node.at_least ?? 1, children: node.of ?? [] };
}

const isFrequency = (signal: string): boolean =>
  SIGNALS[signal as SignalName]?.aspect === 'frequency';

/**
 * The frequency criteria (ids) that make the rule hold when every depth criterion fails, or null
 * when the rule needs depth or breadth: the passing path the heavy-but-shallow user takes.
 */
function frequencyPath(node: SignalTree): string[] | null {
  if (node.signal !== undefined) {
    return isFrequency(node.signal) ? [node.id ?? node.signal] : null;
  }
  const { k, children } = childrenOf(node);
  const paths = children.map(frequencyPath).filter((p): p is string[] => p !== null);
  return paths.length >= k && k > 0 ? paths.slice(0, k).flat() : null;
}

const DEPTH_HINT =
  'a power user is frequent AND deep or broad: add a depth or breadth criterion (core_features, advanced_features, key_actions, collaboration) beside it in an all:';

/**
 * The single-metric trap: a rule that can be met on frequency alone (days, sessions, events),
 * or a composite that weighs only such signals, will flag heavy-but-shallow users, who come
 * every day to do one trivial thing. A warning, not an error: the definition still runs.
 */
export function singleMetricWarning(d: {
  rule?: SignalTree | undefined;
  weights?: readonly string[] | undefined;
}): DefinitionWarning | null {
  if (d.rule) {
    const path = frequencyPath(d.rule);
    if (!path) return null;
    const named = path.join(', ');
    return {
      kind: 'single_metric',
      criteria: path,
      message: `${path.length === 1 ? 'one frequency criterion' : 'frequency criteria'} (${named}) can make a power user on ${path.length === 1 ? 'its' : 'their'} own: the definition will flag heavy-but-shallow users (active every day, doing one trivial thing); ${DEPTH_HINT}.`,
    };
  }
  const weights = d.weights ?? [];
  if (weights.length === 0 || !weights.every(isFrequency)) return null;
  return {
    kind: 'single_metric',
    criteria: [...weights],
    message: `the score weighs only frequency signals (${weights.join(', ')}): it will rank heavy-but-shallow users (active every day, doing one trivial thing) as power users; a power user is frequent AND deep or broad: weigh a depth or breadth signal too (core_features, advanced_features, key_actions, collaboration).`,
  };
}
