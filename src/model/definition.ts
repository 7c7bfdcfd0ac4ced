import { z } from 'zod';
import { definitionProblems } from './definition-problems.js';
import { GROUP_KEYS, type RuleInput, THRESHOLD_KEYS, type ThresholdKey } from './rule-input.js';
import { SIGNAL_NAMES, SIGNALS, type SignalName } from './signals.js';
import { suggestName } from './suggest.js';

/**
 * The definition language (docs/definition.md). One zod schema validates a definition from YAML,
 * JSON or the API and yields its TypeScript types; `normalizeDefinition` turns the validated input
 * into the tree the SQL compiler reads.
 */

const PLAIN_NAME = /^[a-z][a-z0-9_]*$/;
export const plainName = z.string().regex(PLAIN_NAME, {
  message: 'use lower-case letters, digits and _ (starting with a letter), e.g. frequency',
});

export const RuleSchema: z.ZodType<RuleInput, RuleInput> = z
  .object({
    id: plainName.optional().describe('Names the criterion in results; defaults to the signal.'),
    label: z.string().optional().describe('Plain words shown in reports.'),
    signal: z
      .string()
      .optional()
      .describe('A signal (docs/definition.md) compared to a threshold.'),
    min: z.number().optional().describe('Passes when the value is at least this.'),
    max: z.number().optional().describe('Passes when the value is at most this.'),
    top_percent: z
      .number()
      .optional()
      .describe('Passes among the top X% of active users (ties at the edge are left out).'),
    min_share: z
      .number()
      .optional()
      .describe('At least this share (0..1] of the largest possible value, e.g. 2/3 of the days.'),
    get all() {
      return z.array(RuleSchema).min(1).optional().describe('Passes when every item passes.');
    },
    get any() {
      return z.array(RuleSchema).min(1).optional().describe('Passes when one item passes.');
    },
    at_least: z.number().int().positive().optional().describe('With `of`: at least k items pass.'),
    get of() {
      return z.array(RuleSchema).min(1).optional();
    },
  })
  .strict()
  .superRefine((node, ctx) => {
    const thresholds = THRESHOLD_KEYS.filter((k) => node[k] !== undefined);
    const groups = GROUP_KEYS.filter((k) => node[k] !== undefined);
    if (node.signal !== undefined) {
      if (!(SIGNAL_NAMES as readonly string[]).includes(node.signal)) {
        ctx.addIssue({
          code: 'custom',
          path: ['signal'],
          message: `unknown signal "${node.signal}": ${suggestName(node.signal, SIGNAL_NAMES)}`,
        });
      }
      if (groups.length > 0 || node.at_least !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message:
            'a criterion has a signal and a threshold; put groups (all/any/of) in their own item',
        });
      }
      if (thresholds.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          message: `criterion on ${node.signal} needs exactly one threshold of ${THRESHOLD_KEYS.join(', ')}${thresholds.length ? ` (has ${thresholds.join(' and ')})` : ''}`,
        });
      }
      return;
    }
    if (thresholds.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `${thresholds.join(', ')} without a signal: add signal: (e.g. days_active)`,
      });
    }
    if (groups.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          groups.length === 0
            ? 'each item is either a criterion (signal + threshold) or a group (all, any, or at_least + of)'
            : `one group per item, found ${groups.join(' and ')}`,
      });
    }
    if ((node.at_least !== undefined) !== (node.of !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'at_least and of go together: at_least: 1, of: [...]',
      });
    }
    if (node.at_least !== undefined && node.of && node.at_least > node.of.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['at_least'],
        message: `impossible: at least ${node.at_least} of ${node.of.length} items`,
      });
    }
  });

export const CutoffSchema = z
  .object({
    min_score: z.number().min(0).max(100).optional().describe('Power user from this score on.'),
    top_percent: z.number().gt(0).max(100).optional().describe('The top X% by score.'),
  })
  .strict()
  .refine((c) => (c.min_score === undefined) !== (c.top_percent === undefined), {
    message: 'give exactly one of min_score or top_percent',
  });

export const CompositeSchema = z
  .object({
    weights: z
      .record(z.string(), z.number().positive({ message: 'weights are positive numbers' }))
      .superRefine((weights, ctx) => {
        const names = Object.keys(weights);
        if (names.length === 0)
          ctx.addIssue({ code: 'custom', message: 'give at least one signal' });
        for (const s of names) {
          if (!(SIGNAL_NAMES as readonly string[]).includes(s)) {
            ctx.addIssue({
              code: 'custom',
              path: [s],
              message: `unknown signal "${s}": ${suggestName(s, SIGNAL_NAMES)}`,
            });
          }
        }
      })
      .describe('Signal -> weight; the score is the weighted mean of percentile ranks, 0..100.'),
    cutoff: CutoffSchema,
  })
  .strict();

export const DefinitionSchema = z
  .object({
    description: z.string().optional(),
    window_days: z.number().int().min(1).max(366).default(30),
    rule: RuleSchema.optional().describe('Criteria combined with all / any / at_least + of.'),
    score: CompositeSchema.optional().describe('A weighted composite score with a cut-off.'),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.rule === undefined && d.score === undefined) {
      ctx.addIssue({
        code: 'custom',
        message:
          'a definition needs rule: (criteria combined with all/any/at_least) or score: (a weighted composite)',
      });
      return;
    }
    if (d.rule !== undefined && d.score !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'a definition has either rule: or score:, not both',
      });
      return;
    }
    for (const p of definitionProblems(d, d.window_days)) ctx.addIssue({ code: 'custom', ...p });
  });

export type DefinitionInput = z.input<typeof DefinitionSchema>;
export type DefinitionConfig = z.output<typeof DefinitionSchema>;

export interface Criterion {
  type: 'criterion';
  id: string;
  label: string;
  signal: SignalName;
  op: ThresholdKey;
  value: number;
}
export interface Group {
  type: 'all' | 'any' | 'at_least';
  id: string | undefined;
  label: string | undefined;
  /** How many children must pass: all of them, one, or at_least. */
  k: number;
  children: RuleNode[];
}
export type RuleNode = Criterion | Group;

export interface RuleDefinition {
  kind: 'rule';
  name: string;
  description: string | undefined;
  window_days: number;
  rule: RuleNode;
}
export interface ScoreDefinition {
  kind: 'score';
  name: string;
  description: string | undefined;
  window_days: number;
  weights: { signal: SignalName; weight: number }[];
  cutoff: { min_score?: number | undefined; top_percent?: number | undefined };
}
export type Definition = RuleDefinition | ScoreDefinition;

/** The absolute threshold of a `min_share` criterion in a window of `windowDays`. */
export function shareToMin(signal: SignalName, share: number, windowDays: number): number {
  const max = SIGNALS[signal].maxFor?.(windowDays) ?? 0;
  // Rounded to hundredths first so that 0.67 of 30 days is 20, not 21.
  return Math.ceil(Math.round(share * max * 100) / 100);
}

function normalizeRule(node: RuleInput): RuleNode {
  if (node.signal !== undefined) {
    const op = THRESHOLD_KEYS.find((k) => node[k] !== undefined) ?? 'min';
    return {
      type: 'criterion',
      id: node.id ?? node.signal,
      label: node.label ?? '',
      signal: node.signal as SignalName,
      op,
      value: node[op] ?? 0,
    };
  }
  const [type, children] = node.all
    ? (['all', node.all] as const)
    : node.any
      ? (['any', node.any] as const)
      : (['at_least', node.of ?? []] as const);
  return {
    type,
    id: node.id,
    label: node.label,
    k: type === 'all' ? children.length : type === 'any' ? 1 : (node.at_least ?? 1),
    children: children.map(normalizeRule),
  };
}

export function normalizeDefinition(name: string, d: DefinitionConfig): Definition {
  const base = { name, description: d.description, window_days: d.window_days };
  if (d.score) {
    return {
      ...base,
      kind: 'score',
      weights: Object.entries(d.score.weights).map(([signal, weight]) => ({
        signal: signal as SignalName,
        weight,
      })),
      cutoff: d.score.cutoff,
    };
  }
  return { ...base, kind: 'rule', rule: normalizeRule(d.rule ?? {}) };
}

/** Every criterion of a rule tree, in reading order. */
export function criteriaOf(node: RuleNode): Criterion[] {
  return node.type === 'criterion' ? [node] : node.children.flatMap(criteriaOf);
}

/** The signals a definition reads. */
export function signalsOf(d: Definition): SignalName[] {
  const all =
    d.kind === 'rule' ? criteriaOf(d.rule).map((c) => c.signal) : d.weights.map((w) => w.signal);
  return [...new Set(all)];
}
