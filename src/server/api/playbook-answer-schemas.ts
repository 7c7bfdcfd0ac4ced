import { z } from 'zod';
import {
  ACCOUNT_SIGNALS,
  CHANNELS,
  FLOW_STATES,
  TRIGGER_STATES,
  type TriggerKind,
  TriggerSchema,
} from '../../model/playbook.js';
import type { PlaybookListing } from '../../playbooks/list-playbooks.js';
import type { DeliveryAttempt, DeliveryLogEntry } from '../../playbooks/outbox.js';
import type { PlaybookRunResult, PreviewedOccurrence } from '../../playbooks/run-playbooks.js';
import type { TestSend } from '../../playbooks/test-playbook.js';
import type { Expect, ShapeCheck } from './same-shape.js';

/**
 * The answers of the playbooks routes, in zod (the API's contract, as answer-schemas.ts), each
 * checked at compile time against its use case's type. No answer holds a secret: an action shows
 * the names of the environment variables it reads and whether each is set, never a value.
 */

const deliveryStatus = z.enum(['queued', 'sent', 'dead']);

const TriggerAnswer = z.discriminatedUnion('on', [
  z.object({ on: z.literal('became_power_user') }),
  z.object({ on: z.literal('stopped_power_user') }),
  z.object({ on: z.literal('entered_state'), state: z.enum(TRIGGER_STATES) }),
  z.object({ on: z.literal('joined_segment'), segment: z.string() }),
  z.object({ on: z.literal('left_segment'), segment: z.string() }),
  z.object({
    on: z.literal('mastered_feature'),
    feature: z.string(),
    min_days: z.number().int().optional(),
    top_percent: z.number().optional(),
  }),
  z.object({ on: z.literal('account_signal'), signal: z.enum(ACCOUNT_SIGNALS) }),
  z.object({
    on: z.literal('power_user_count_changed'),
    min_percent: z.number(),
    direction: z.enum(['up', 'down', 'either']),
  }),
  z.object({
    on: z.literal('power_user_share_changed'),
    min_points: z.number(),
    direction: z.enum(['up', 'down', 'either']),
  }),
  z.object({
    on: z.literal('curve_top_bucket_shrank'),
    min_points: z.number(),
    top_days: z.number().int().optional(),
  }),
  z.object({
    on: z.literal('lifecycle_flow'),
    from: z.enum(FLOW_STATES),
    to: z.enum(FLOW_STATES),
    min_users: z.number().int().optional(),
    min_percent: z.number().optional(),
  }),
]);

export const PlaybookListingSchema = z.object({
  name: z.string(),
  description: z.string().nullable(),
  enabled: z.boolean(),
  definition: z
    .string()
    .nullable()
    .describe('The definition whose snapshots it watches (null: the default definition).'),
  trigger: TriggerAnswer,
  trigger_text: z.string().describe('The trigger in words.'),
  filters: z.object({
    segments: z.array(z.string()).optional(),
    score: z.object({ min: z.number().optional(), max: z.number().optional() }).optional(),
    account_traits: z
      .record(z.string(), z.array(z.union([z.string(), z.number(), z.boolean()])))
      .optional(),
  }),
  actions: z.array(
    z.object({
      channel: z.string().describe('webhook, slack or email.'),
      target_host: z
        .string()
        .nullable()
        .describe('The host of a URL written in the config (null: read from a variable).'),
      env: z
        .array(z.object({ key: z.string(), name: z.string(), is_set: z.boolean() }))
        .describe(
          'Each environment variable the action reads (url_env, secret_env): its name and whether serve has it set; never its value.',
        ),
    }),
  ),
  limits: z.object({ max_per_run: z.number().int(), cooldown_days: z.number().int() }),
  deliveries: z
    .object({ queued: z.number().int(), sent: z.number().int(), dead: z.number().int() })
    .nullable()
    .describe('Its deliveries per status (null: the engine keeps no outbox, ClickHouse for now).'),
});
export type PlaybookListingAgrees = Expect<
  ShapeCheck<PlaybookListing, typeof PlaybookListingSchema>
>;

/** GET /playbooks. */
export const PlaybooksAnswer = z.object({ playbooks: z.array(PlaybookListingSchema) });

/** DELETE /playbooks/{name}. */
export const PlaybookDeleted = z.object({
  deleted: z.string(),
  now_in_force: PlaybookListingSchema.nullable().describe(
    "The top-level playbook of that name, in force again now that the project's own is gone (null: none).",
  ),
});

const OccurrenceSchema = z.object({
  occurrence_id: z.string(),
  project_id: z.string(),
  playbook: z.string(),
  trigger: z.enum(
    TriggerSchema.options.map((o) => o.shape.on.value) as [TriggerKind, ...TriggerKind[]],
  ),
  subject_type: z.enum(['user', 'account', 'project']),
  subject_id: z.string(),
  account_id: z.string(),
  period_start: z.string(),
  explanation: z.string().describe('What happened and why, in one sentence.'),
  data: z
    .record(
      z.string(),
      // null on a member: OpenAPI 3.0 has no nullable without a type.
      z.union([z.string().nullable(), z.number(), z.boolean(), z.array(z.string())]),
    )
    .describe('The numbers behind it: score, state, segments, what changed (docs/playbooks.md).'),
  already_recorded: z.boolean().describe('Recorded (so sent) before: a run sends it no more.'),
});
export type PreviewAgrees = Expect<ShapeCheck<PreviewedOccurrence, typeof OccurrenceSchema>>;

/** GET /playbooks/{name}/preview. */
export const PreviewAnswer = z.object({
  playbook: z.string(),
  as_of: z.string(),
  people: z.array(OccurrenceSchema).describe('Who a run would reach now, and why; sends nothing.'),
});

const AttemptSchema = z.object({
  delivery_id: z.string(),
  attempt: z.number().int(),
  started_at: z.string(),
  finished_at: z.string(),
  status_code: z.number().int().nullable(),
  latency_ms: z.number(),
  outcome: z.enum(['sent', 'retry', 'dead']),
  error: z.string().nullable(),
});
export type AttemptAgrees = Expect<ShapeCheck<DeliveryAttempt, typeof AttemptSchema>>;

const DeliverySchema = z.object({
  delivery_id: z.string().describe('The webhook-id every attempt carries.'),
  occurrence_id: z.string(),
  project_id: z.string(),
  playbook: z.string(),
  action_index: z.number().int(),
  channel: z.enum(['webhook', 'slack', 'email']),
  payload: z.string().describe('The JSON body, fixed when queued.'),
  status: deliveryStatus,
  attempts: z.number().int(),
  next_attempt_at: z.string().nullable(),
  created_at: z.string(),
  last_error: z.string().nullable(),
  sent_at: z.string().nullable(),
  trigger: z.string(),
  subject_type: z.string(),
  subject_id: z.string(),
  account_id: z.string(),
  period_start: z.string(),
  fired_at: z.string(),
  attempt_log: z.array(AttemptSchema).optional().describe('Every attempt, with attempts=true.'),
});
export type DeliveryAgrees = Expect<
  ShapeCheck<DeliveryLogEntry & { attempt_log?: DeliveryAttempt[] }, typeof DeliverySchema>
>;

/** GET /playbooks/deliveries. */
export const DeliveryLogAnswer = z.object({ deliveries: z.array(DeliverySchema) });

/** POST /playbooks/deliveries/{id}/retry. */
export const RetryAnswer = z.object({ delivery_id: z.string(), status: z.literal('queued') });

const RunResultSchema = z.object({
  computed_periods: z
    .number()
    .int()
    .describe('Snapshot periods computed to bring the compared periods up to date.'),
  fired: z
    .record(z.string(), z.number().int())
    .describe('Per playbook run: the occurrences its trigger found (recorded or not).'),
  recorded: z.object({
    recorded: z.number().int().describe('Occurrences recorded now.'),
    skipped: z
      .number()
      .int()
      .describe('Not recorded: recorded before, in cooldown, or past max_per_run.'),
    queued: z.number().int().describe('Deliveries queued for those recorded now.'),
    already: z.number().int(),
    cooldown: z.number().int(),
    over_limit: z.number().int().describe('Past max_per_run: they come again in the next run.'),
  }),
  dispatched: z
    .object({
      due: z.number().int(),
      sent: z.number().int(),
      retried: z.number().int(),
      dead: z.number().int(),
      skipped: z.number().int().describe('Due but taken by another dispatcher meanwhile.'),
    })
    .nullable()
    .describe('What was due and how sending it went (null: send=false).'),
});
export type RunAgrees = Expect<ShapeCheck<PlaybookRunResult, typeof RunResultSchema>>;

/** POST /playbooks/run. */
export const RunAnswer = RunResultSchema.extend({
  as_of: z.string().describe('The period end the triggers were evaluated on.'),
});

const TestSendSchema = z.object({
  action_index: z.number().int(),
  channel: z.enum(CHANNELS),
  delivery_id: z.string().describe('The webhook-id of the sample: msg_test_..., never a real one.'),
  subject_id: z.string().describe('Whom the sample is about.'),
  sample: z
    .boolean()
    .describe('true: nobody would be reached now, so the sample is about a made-up user.'),
  ok: z.boolean(),
  status_code: z.number().int().nullable().describe('The HTTP status or SMTP reply code.'),
  error: z.string().nullable(),
});
export type TestSendAgrees = Expect<ShapeCheck<TestSend, typeof TestSendSchema>>;

/** POST /playbooks/{name}/test. */
export const TestAnswer = z.object({
  playbook: z.string(),
  as_of: z.string(),
  sends: z.array(TestSendSchema).describe('One sample per action, sent now outside the outbox.'),
});
