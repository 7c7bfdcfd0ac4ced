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
