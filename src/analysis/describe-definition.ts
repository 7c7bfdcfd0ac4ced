import type { Definition, RuleNode } from '../model/definition.js';
import { criterionThreshold } from '../sql/compile-score.js';

function describeNode(node: RuleNode, windowDays: number): string {
  if (node.type === 'criterion') {
    const t = criterionThreshold(node, windowDays);
    const bar =
      node.op === 'top_percent'
        ? `in the top ${node.value}%`
        : node.op === 'max'
          ? `<= ${t}`
          : `>= ${t}`;
    return `${node.id} (${node.signal} ${bar})`;
  }
  const inner = node.children.map((c) => describeNode(c, windowDays)).join(', ');
  const head =
    node.type === 'all' ? 'all of' : node.type === 'any' ? 'any of' : `at least ${node.k} of`;
  return `${node.id ? `${node.id}: ` : ''}${head} [${inner}]`;
}

/** One line saying what the definition asks, with every threshold resolved for its window. */
export function describeDefinition(d: Definition): string {
  if (d.kind === 'score') {
    const weights = d.weights.map((w) => `${w.signal} x${w.weight}`).join(', ');
    const cut =
      d.cutoff.min_score !== undefined
        ? `score >= ${d.cutoff.min_score}`
        : `the top ${d.cutoff.top_percent}% by score`;
    return `weighted percentile score (${weights}); power users: ${cut}`;
  }
  return describeNode(d.rule, d.window_days);
}
