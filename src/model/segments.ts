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

/**
 * The three archetypes, as rules over the signals (docs/segments.md), each an absolute bar on what
 * the catalogue infers with no configuration (new features, collaboration and optimization
 * features), so every power user who shows an archetype is in it, however many do.
 */
export const DEFAULT_SEGMENTS: Record<string, SegmentInput> = {
  innovator: {
    label: 'Innovator',
    description:
      'adopts new features early: within early_adoption_days of their release (configured, or the first day of a feature new in the data)',
    rule: rule({ id: 'early_adopter', signal: 'early_adoptions', min: 1 }),
  },
  advocate: {
    label: 'Advocate',
    description: 'invites and shares about weekly or more (4 times in 30 days)',
    rule: rule({ id: 'collaborates', signal: 'collaboration', min: 4 }),
  },
  optimizer: {
    label: 'Optimizer',
    description:
      'uses half or more of the optimization features (workflows, templates, automations, integrations) at least weekly',
    rule: rule({ id: 'optimizes', signal: 'optimization_depth', min: 50 }),
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
