import { distance } from 'fastest-levenshtein';
import { z } from 'zod';

/**
 * What a playbook sends (`actions:`): a webhook, a Slack message or an e-mail, with templates.
 * Secrets are never in the file: an action names the environment variable that holds them.
 */

const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as CRM_WEBHOOK_SECRET')
  .describe('The environment variable that holds the value (never the value itself).');

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
