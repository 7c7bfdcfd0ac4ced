import { z } from 'zod';
import { plainName } from './definition.js';

/** What fires a playbook (`trigger:` in a playbook of powerlens.yaml), and whom it is about. */

/** The lifecycle states a user can enter that a playbook may act on. */
export const TRIGGER_STATES = ['emerging', 'at_risk', 'lost', 'resurrected'] as const;

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
