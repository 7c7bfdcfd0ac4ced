import { distance } from 'fastest-levenshtein';
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

/** The account signals (the account report's) a playbook may act on. */
export const ACCOUNT_SIGNALS = [
  'lost_power_users',
  'champion_silent',
  'maven_moved_in',
  'maven_moved_out',
  'expansion_candidate',
] as const;

/** The lifecycle states a flow alert counts between; 'none' is in no state (not a power user). */
export const FLOW_STATES = [
  'none',
  'new',
  'retained',
  'resurrected',
  'at_risk',
  'lost',
  'emerging',
] as const;

const direction = z
  .enum(['up', 'down', 'either'])
  .default('either')
  .describe('Which way the change must go to fire.');

/**
 * What fires a playbook, compared between the latest two snapshot periods: for a user (the
 * lifecycle, segments, a feature mastered), for an account (its signals) or for the project
 * (an alert on its totals).
 */
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
  z
    .object({
      on: z.literal('mastered_feature'),
      feature: z.string().min(1).describe('The feature (event name) mastered.'),
      min_days: z
        .number()
        .int()
        .positive()
        .optional()
        .describe('Used it on at least this many distinct days within the window.'),
      top_percent: z
        .number()
        .positive()
        .max(100)
        .optional()
        .describe("In the top this-many percent of the feature's users by uses in the window."),
    })
    .strict()
    .refine((t) => (t.min_days === undefined) !== (t.top_percent === undefined), {
      message: 'give min_days or top_percent (one of them)',
    })
    .describe('Meets the mastery rule for the feature in the window now; fires once per user.'),
  z
    .object({ on: z.literal('account_signal'), signal: z.enum(ACCOUNT_SIGNALS) })
    .strict()
    .describe(
      'An account shows this signal of the account report (risk or chance): once per signal, an expansion candidate once per period while it lasts.',
    ),
  z
    .object({
      on: z.literal('power_user_count_changed'),
      min_percent: z
        .number()
        .positive()
        .default(20)
        .describe('Fires when the count moved by at least this percent of the period before.'),
      direction,
    })
    .strict()
    .describe('Project alert: the number of power users moved between the last two periods.'),
  z
    .object({
      on: z.literal('power_user_share_changed'),
      min_points: z
        .number()
        .positive()
        .max(100)
        .default(2)
        .describe('Fires when the share of active users moved by at least this many points.'),
      direction,
    })
    .strict()
    .describe('Project alert: the power users’ share of active users moved between periods.'),
  z
    .object({
      on: z.literal('curve_top_bucket_shrank'),
      min_points: z
        .number()
        .positive()
        .max(100)
        .default(2)
        .describe('Fires when the top bucket’s share of active users fell by at least this much.'),
      top_days: z
        .number()
        .int()
        .positive()
        .optional()
        .describe(
          'The top bucket: active on at least this many days of the window (default: its top third, 21+ of 30).',
        ),
    })
    .strict()
    .describe('Project alert: the share of users in the top bucket of the activity curve fell.'),
  z
    .object({
      on: z.literal('lifecycle_flow'),
      from: z.enum(FLOW_STATES),
      to: z.enum(FLOW_STATES),
      min_users: z
        .number()
        .int()
        .positive()
        .optional()
        .describe('Fires when at least this many users moved from → to in the period.'),
      min_percent: z
        .number()
        .positive()
        .max(100)
        .optional()
        .describe('Fires when at least this percent of the users in `from` moved to `to`.'),
    })
    .strict()
    .refine((t) => t.min_users !== undefined || t.min_percent !== undefined, {
      message: 'give min_users or min_percent (or both)',
    })
    .refine((t) => t.from !== t.to, { message: 'from and to must differ' })
    .describe('Project alert: a flow between lifecycle states above a threshold.'),
]);
export type Trigger = z.infer<typeof TriggerSchema>;
export type TriggerKind = Trigger['on'];

/** Who a trigger fires for: a user, an account, or the project (an alert). */
export type SubjectType = 'user' | 'account' | 'project';

/** The subject a trigger's occurrences are about. */
export function subjectTypeOf(trigger: Trigger): SubjectType {
  switch (trigger.on) {
    case 'account_signal':
      return 'account';
    case 'power_user_count_changed':
    case 'power_user_share_changed':
    case 'curve_top_bucket_shrank':
    case 'lifecycle_flow':
      return 'project';
    default:
      return 'user';
  }
}

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

/**
 * The variables a Slack or e-mail template may use (`{{name}}`), besides `{{user.TRAIT}}` and
 * `{{account.TRAIT}}` (any identify trait of the user, any group trait of the account).
 */
export const TEMPLATE_VARIABLES = [
  'user_id',
  'account_id',
  'explanation',
  'playbook',
  'trigger',
  'period_start',
  'score',
  'link',
  'feature',
  'segment',
  'signal',
] as const;

const TEMPLATE_VARIABLE = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The unknown variables of a template, each with the nearest known name where one is close. */
export function unknownTemplateVariables(template: string): string[] {
  const out: string[] = [];
  for (const m of template.matchAll(TEMPLATE_VARIABLE)) {
    const name = m[1] ?? '';
    if ((TEMPLATE_VARIABLES as readonly string[]).includes(name)) continue;
    if (/^(user|account)\.[^\s.{}][^\s{}]*$/.test(name)) continue;
    const near = TEMPLATE_VARIABLES.find((v) => distance(v, name) <= 2);
    out.push(near ? `{{${name}}} (did you mean {{${near}}}?)` : `{{${name}}}`);
  }
  return out;
}

/** A text with `{{variables}}`: an unknown one is an error when the config is read. */
const template = (what: string) =>
  z
    .string()
    .min(1)
    .superRefine((text, ctx) => {
      const unknown = unknownTemplateVariables(text);
      if (unknown.length > 0) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `unknown template variable ${unknown.join(', ')}: use ${TEMPLATE_VARIABLES.join(', ')}, user.TRAIT or account.TRAIT`,
        });
      }
    })
    .describe(what);

const emailAddress = z.string().email('an e-mail address such as cs@example.com');

export const SlackActionSchema = z
  .object({
    slack: z
      .object({
        url_env: envName.describe(
          'Holds the Slack incoming-webhook URL (a secret: never in the file).',
        ),
        channel: z
          .string()
          .min(1)
          .optional()
          .describe("Shown in the message and sent as `channel`, e.g. '#cs-alerts'."),
        timeout_seconds: z.number().positive().max(60).default(10),
      })
      .strict(),
  })
  .strict();
export type SlackAction = z.infer<typeof SlackActionSchema>['slack'];

export const EmailActionSchema = z
  .object({
    email: z
      .object({
        to: z
          .union([z.literal('user'), z.object({ account_trait: z.string().min(1) }).strict()])
          .describe("'user' (the user's email trait) or { account_trait: csm_email }."),
        from: emailAddress,
        reply_to: emailAddress.optional(),
        subject: template('The subject, with {{variables}}.'),
        text: template('The plain-text part, with {{variables}}.'),
        html: template('The HTML part (values escaped), with {{variables}}.').optional(),
        smtp_url_env: envName.describe(
          'Holds the smtp:// or smtps:// URL with its credentials (never stored).',
        ),
        timeout_seconds: z.number().positive().max(60).default(20),
      })
      .strict(),
  })
  .strict();
export type EmailAction = z.infer<typeof EmailActionSchema>['email'];

/** The channels an action may send on. */
export const CHANNELS = ['webhook', 'slack', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * One action: exactly one of `webhook:`, `slack:` or `email:`. One strict object with the three
 * keys optional (rather than a zod union) keeps config errors precise: a misspelt key is named
 * with its near miss, and an error inside a channel keeps its path.
 */
export const ActionSchema = z
  .object({
    webhook: WebhookActionSchema.shape.webhook.optional(),
    slack: SlackActionSchema.shape.slack.optional(),
    email: EmailActionSchema.shape.email.optional(),
  })
  .strict()
  .refine((a) => CHANNELS.filter((c) => a[c] !== undefined).length === 1, {
    message: 'give exactly one of webhook, slack or email',
  });
export type Action = z.infer<typeof ActionSchema>;

/** The channel an action sends on. */
export function channelOf(action: Action): Channel {
  return action.webhook ? 'webhook' : action.slack ? 'slack' : 'email';
}

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
