import { z } from 'zod';
import { plainName } from './definition.js';

/**
 * `playbooks:` in powerlens.yaml: when something happens to a power user (the trigger), to whom
 * it applies (filters), what to send (actions) and how often (limits). Secrets are never in the
 * file: an action names the environment variable that holds them (`*_env`).
 */

/** The lifecycle states a user can enter that a playbook may act on. */
export const TRIGGER_STATES = ['emerging', 'at_risk', 'lost', 'resurrected'] as const;

const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as CRM_WEBHOOK_SECRET')
  .describe('The environment variable that holds the value (never the value itself).');

/** What fires a playbook for a user, compared between the latest two snapshot periods. */
export const TriggerSchema = z.discriminatedUnion('on', [
  z
    .object({ on: z.literal('became_power_user') })
    .strict()
    .describe('A power user now, not in the period before (new or back).'),
  z
    .object({ on: z.literal('stopped_power_user') })
    .strict()
    .describe('A power user in the period before, not now.'),
  z
    .object({ on: z.literal('entered_state'), state: z.enum(TRIGGER_STATES) })
    .strict()
    .describe('In this lifecycle state now, not in the period before.'),
  z
    .object({ on: z.literal('joined_segment'), segment: plainName })
    .strict()
    .describe('In this segment now, not in the period before.'),
  z
    .object({ on: z.literal('left_segment'), segment: plainName })
    .strict()
    .describe('In this segment in the period before, not now.'),
]);
export type Trigger = z.infer<typeof TriggerSchema>;
export type TriggerKind = Trigger['on'];

export const FiltersSchema = z
  .object({
    segments: z
      .array(plainName)
      .optional()
      .describe('Only users in at least one of these segments now.'),
    score: z
      .object({
        min: z.number().min(0).max(100).optional(),
        max: z.number().min(0).max(100).optional(),
      })
      .strict()
      .optional()
      .describe('Only users whose score now is in this range (inclusive).'),
    account_traits: z
      .record(z.string().min(1), z.array(z.union([z.string(), z.number(), z.boolean()])).min(1))
      .optional()
      .describe(
        'Only users whose account has one of these values for each trait named, e.g. plan: [team, business].',
      ),
  })
  .strict();
export type Filters = z.infer<typeof FiltersSchema>;

export const WebhookActionSchema = z
  .object({
    webhook: z
      .object({
        url: z.string().url().optional().describe('Where to POST (or url_env).'),
        url_env: envName.optional(),
        secret_env: envName.describe(
          'Holds the signing secret (whsec_...); two secrets separated by a space while rotating.',
        ),
        timeout_seconds: z.number().positive().max(60).default(10),
      })
      .strict()
      .refine((w) => (w.url === undefined) !== (w.url_env === undefined), {
        message: 'give url or url_env (one of them)',
      }),
  })
  .strict();
export type WebhookAction = z.infer<typeof WebhookActionSchema>['webhook'];

export const ActionSchema = WebhookActionSchema;
export type Action = z.infer<typeof ActionSchema>;

export const LimitsSchema = z
  .object({
    max_per_run: z
      .number()
      .int()
      .positive()
      .default(1000)
      .describe('At most this many occurrences fire in one run; the rest wait for the next.'),
    cooldown_days: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe(
        'A subject this playbook fired for is not fired for again within this many days (0: once per occurrence).',
      ),
  })
  .strict();
export type Limits = z.infer<typeof LimitsSchema>;

export const PlaybookSchema = z
  .object({
    description: z.string().optional(),
    enabled: z.boolean().default(true),
    definition: plainName
      .optional()
      .describe('The definition whose snapshots it watches (default: the default definition).'),
    trigger: TriggerSchema,
    filters: FiltersSchema.default({}),
    actions: z.array(ActionSchema).min(1).describe('What each occurrence sends, in order.'),
    limits: LimitsSchema.default(LimitsSchema.parse({})),
  })
  .strict();
export type Playbook = z.infer<typeof PlaybookSchema>;
