import { z } from 'zod';

export const FEATURE_TAGS = [
  'key_action',
  'collaboration',
  'feedback',
  'login',
  'optimization',
] as const;
export type FeatureTag = (typeof FEATURE_TAGS)[number];
/**
 * The tags a catalogue listing shows: the configurable ones, and `innovation` for a feature with a
 * release date (configured, or its first day when it is new in the data).
 */
export const LISTING_TAGS = [...FEATURE_TAGS, 'innovation'] as const;
export type ListingTag = (typeof LISTING_TAGS)[number];

const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'use a date written YYYY-MM-DD' })
  .refine(
    (d) =>
      !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) &&
      new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    {
      message: 'not a calendar date',
    },
  );

export const FeatureSchema = z
  .object({
    name: z.string().min(1).describe('Feature name, as reports show it.'),
    label: z.string().optional().describe('Display name; defaults to the name in title case.'),
    events: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .describe('Event names, exact or glob (* any run of characters, ? one character).'),
    where: z
      .record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .describe(
        'Property conditions, all of which must hold: {"format": "pdf"}; dots reach nested properties.',
      ),
    kind: z.enum(['core', 'advanced']).default('core'),
    tags: z.array(z.enum(FEATURE_TAGS)).default([]),
    released: isoDay.optional().describe('Release date, for early adoption.'),
  })
  .strict();

export const CatalogueSchema = z
  .object({
    features: z.array(FeatureSchema).default([]),
    unlisted_events: z
      .enum(['infer', 'ignore'])
      .default('infer')
      .describe(
        'Events no feature lists: each becomes a feature of its own (infer) or is left out.',
      ),
    advanced_below_percent: z
      .number()
      .gt(0)
      .lt(100)
      .default(20)
      .describe('An inferred feature used by fewer than this share of active users is advanced.'),
    early_adoption_days: z
      .number()
      .int()
      .positive()
      .default(14)
      .describe('A feature used within this many days of its release counts as early adoption.'),
  })
  .strict();

export type FeatureConfig = z.infer<typeof FeatureSchema>;
export type Catalogue = z.infer<typeof CatalogueSchema>;

export function featureEvents(f: FeatureConfig): string[] {
  return typeof f.events === 'string' ? [f.events] : f.events;
}

/**
 * A glob over event names as a SQL LIKE pattern with backslash as the escape character: `*` any
 * run of characters, `?` one character, and a backslash makes the next character literal
 * (`what\?` is the event "what?").
 */
export function globToLike(glob: string): string {
  const literal = (c: string) => (c === '\\' || c === '%' || c === '_' ? `\\${c}` : c);
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '\\' && i + 1 < glob.length) out += literal(glob[++i] ?? '');
    else if (c === '*') out += '%';
    else if (c === '?') out += '_';
    else out += literal(c);
  }
  return out;
}

/** An event name written as a glob that matches exactly that name. */
export function literalGlob(event: string): string {
  return event.replace(/[\\*?]/g, (c) => `\\${c}`);
}
