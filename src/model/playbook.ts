import { z } from 'zod';
import { plainName } from './definition.js';
import { ActionSchema } from './playbook-actions.js';
import { subjectTypeOf, TriggerSchema } from './playbook-trigger.js';

/**
 * `playbooks:` in powerlens.yaml: when something happens (the trigger, playbook-trigger.ts), to
 * whom it applies (filters), what to send (actions, playbook-actions.ts) and how often (limits).
 */

export * from './playbook-actions.js';
export * from './playbook-trigger.js';

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
  .strict()
  .superRefine((p, ctx) => {
    // Filters and recipients must make sense for the subject: an alert about the project has no
    // score, segment or account to filter on, and no user to e-mail.
    const subject = subjectTypeOf(p.trigger);
    if (subject === 'user') return;
    const refuse = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    if (p.filters.segments)
      refuse(
        ['filters', 'segments'],
        `segments filter users; this trigger is about ${subject === 'account' ? 'an account' : 'the project'}: remove it`,
      );
    if (p.filters.score)
      refuse(
        ['filters', 'score'],
        `score filters users; this trigger is about ${subject === 'account' ? 'an account' : 'the project'}: remove it`,
      );
    if (subject === 'project' && p.filters.account_traits)
      refuse(
        ['filters', 'account_traits'],
        'a project alert has no account to filter on: remove it',
      );
    p.actions.forEach((a, i) => {
      if (a.email?.to === 'user')
        refuse(
          ['actions', i, 'email', 'to'],
          subject === 'account'
            ? 'an account signal has no single user to e-mail: send to { account_trait: csm_email }'
            : 'a project alert has no user to e-mail: use slack or a webhook, or an account trigger',
        );
      if (subject === 'project' && a.email)
        refuse(
          ['actions', i, 'email'],
          'a project alert has no account to read an address from: use slack or a webhook',
        );
    });
  });
export type Playbook = z.infer<typeof PlaybookSchema>;
