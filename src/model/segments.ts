import { z } from 'zod';
import {
  type Criterion,
  criteriaOf,
  normalizeDefinition,
  type RuleNode,
  RuleSchema,
} from './definition.js';
import { definitionProblems } from './definition-problems.js';
import type { RuleInput } from './rule-input.js';

/**
 * Segments (archetypes) of power users (docs/segments.md): a rule tree over the signals, the same
 * language as a definition's rule. `top_percent` ranks among the power users, so "the top 25% by
 * collaboration" means among the power users, whatever the product's absolute numbers are.
 */
export const SegmentSchema = z
  .object({
    label: z.string().optional().describe('The name shown in reports, e.g. "Advocate".'),
    description: z.string().optional().describe('What the segment means, in plain words.'),
    enabled: z.boolean().default(true).describe('false drops a built-in segment.'),
    rule: RuleSchema.optional().describe(
      'Criteria over the signals (top_percent: among power users).',
    ),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.rule === undefined) {
      if (s.enabled) {
        ctx.addIssue({
          code: 'custom',
          path: ['rule'],
          message:
            'a segment needs rule: (criteria over the signals), or enabled: false to drop it',
        });
      }
      return;
    }
    for (const p of definitionProblems({ rule: s.rule }, 30))
      ctx.addIssue({ code: 'custom', ...p });
  });

export type SegmentInput = z.input<typeof SegmentSchema>;

export interface Segment {
  name: string;
  label: string;
  description: string;
  rule: RuleNode;
}

const rule = (r: RuleInput) => r;

/** The three archetypes, as rules over the signals (docs/segments.md). */
export const DEFAULT_SEGMENTS: Record<string, SegmentInput> = {
  innovator: {
    label: 'Innovator',
    description: 'early adoption of new and advanced features',
    rule: rule({
      any: [
        { id: 'early_adopter', signal: 'early_adoptions', min: 2 },
        { id: 'advanced', signal: 'advanced_features', top_percent: 25 },
      ],
    }),
  },
  advocate: {
    label: 'Advocate',
    description: 'invites, shares and collaborates',
    rule: rule({
      all: [
        { id: 'collaborates', signal: 'collaboration', min: 1 },
        { id: 'most_collaborative', signal: 'collaboration', top_percent: 25 },
      ],
    }),
  },
  optimizer: {
    label: 'Optimizer',
    description:
      'depth in the core features and the key actions (templates, workflows, automations)',
    rule: rule({
      all: [
        { id: 'core_depth', signal: 'core_features', top_percent: 30 },
        { id: 'key_depth', signal: 'key_actions', top_percent: 50 },
      ],
    }),
  },
};

/** The segments in force: the built-in ones, replaced or dropped by the config's, then its own. */
export function resolveSegments(configured: Record<string, SegmentInput>): Segment[] {
  const all = { ...DEFAULT_SEGMENTS, ...configured };
  return Object.entries(all).flatMap(([name, input]) => {
    const s = SegmentSchema.parse(input);
    if (!s.enabled || s.rule === undefined) return [];
    // A segment's window is the definition's; 30 only resolves min_share here, as in a rule.
    const normalized = normalizeDefinition(name, { window_days: 30, rule: s.rule });
    if (normalized.kind !== 'rule') return [];
    return [
      {
        name,
        label: s.label ?? name,
        description: s.description ?? '',
        rule: normalized.rule,
      },
    ];
  });
}

export function segmentCriteria(s: Segment): Criterion[] {
  return criteriaOf(s.rule);
}
