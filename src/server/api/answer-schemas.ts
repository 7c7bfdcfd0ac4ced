import { z } from 'zod';
import type { UserExplanation } from '../../analysis/explain-user.js';
import type { CachedReport } from '../../analysis/report-cache.js';
import type { Report } from '../../analysis/report-types.js';
import type { CatalogueListing } from '../../analysis/run-catalogue.js';
import type { UserResult } from '../../analysis/score-users.js';
import type { ActivityDay } from '../../analysis/user-activity.js';
import type { WhatIf } from '../../analysis/what-if.js';
import { LISTING_TAGS } from '../../model/catalogue.js';
import {
  CompositeSchema,
  type Definition,
  type DefinitionInput,
  type RuleNode,
  RuleSchema,
} from '../../model/definition.js';
import { THRESHOLD_KEYS } from '../../model/rule-input.js';
import { type NullableSignal, SIGNAL_NAMES, type SignalName } from '../../model/signals.js';
import { DataHistory, DefinitionWarning } from './api-schemas.js';
import type { Expect, Json, ShapeCheck } from './same-shape.js';

/**
 * The answers of the report, users, catalogue, definition and what-if routes, in zod: the API's
 * contract. Answers are serialized through these schemas and the OpenAPI document (so the
 * dashboard's types, dashboard/src/api-types.gen.ts) is generated from them. Each is checked at
 * compile time against the type of what its use case returns (same-shape.ts), so the two cannot
 * drift apart: a field the schema lacked would silently be left out of the answer.
 */

/** Schemas that are their own OpenAPI components (recursive ones must be): see api-docs.ts. */
export const API_COMPONENTS = z.registry<{ id: string }>();

const signalName = z.enum(SIGNAL_NAMES);

/** Every signal's value, by name (a nullable one, the trend, is null when it has none). */
const SignalValues = z.object({
  ...(Object.fromEntries(SIGNAL_NAMES.map((s) => [s, z.number()])) as Record<
    Exclude<SignalName, NullableSignal>,
    z.ZodNumber
  >),
  trend: z
    .number()
    .nullable()
    .describe('null (n/a) when the user had no activity in the window before this one'),
});

const CriterionResult = z.object({
  id: z.string(),
  label: z.string(),
  signal: signalName,
  op: z.enum(THRESHOLD_KEYS),
  threshold: z.number(),
  value: z.number().nullable().describe('null for a trend with no earlier window (n/a)'),
  top_percent: z.number(),
  passed: z.boolean(),
  decisive: z.boolean().describe('Whether this criterion decided the verdict.'),
});

export const UserResultSchema = z.object({
  user_id: z.string(),
  account_id: z.string(),
  email: z.string().optional().describe("The e-mail of the user's identify calls, when known."),
  name: z.string().optional().describe("The name of the user's identify calls, when known."),
  account_name: z
    .string()
    .optional()
    .describe("The name of the account's group calls, when known."),
  plan: z.string().optional().describe("The plan of the account's group calls, when known."),
  score: z
    .number()
    .describe(
      'A ranking that agrees with the verdict, in tenths: power users score 50 to 100, everyone else 0 to 49.9 (docs/definition.md)',
    ),
  is_power_user: z.boolean(),
  reason: z.string(),
  criteria: z.array(CriterionResult),
  contributions: z.array(
    z.object({
      signal: signalName,
      weight: z.number(),
      value: z.number().nullable(),
      top_percent: z.number(),
    }),
  ),
  signals: SignalValues,
  advanced_features_used: z.array(z.string()),
  segments: z.array(
    z.object({
      segment: z.string(),
      label: z.string(),
      reason: z.string(),
      criteria: z.array(CriterionResult.omit({ decisive: true })),
    }),
  ),
  no_segment_reason: z
    .string()
    .nullable()
    .describe('A power user in no segment: what each segment lacks, in one sentence; else null.'),
});
export type UserResultAgrees = Expect<ShapeCheck<UserResult, typeof UserResultSchema>>;

export const UsersPage = z.object({
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  history: DataHistory,
  warnings: z.array(DefinitionWarning),
  users: z.array(UserResultSchema),
});

/** A criterion of a resolved definition: a signal against one threshold. */
const CriterionNode = z.object({
  type: z.literal('criterion'),
  id: z.string(),
  label: z.string(),
  signal: signalName,
  op: z.enum(THRESHOLD_KEYS),
  value: z.number(),
});

/** The rule tree of a resolved definition: criteria, and groups of them. */
export const RuleNodeSchema: z.ZodType<Json<RuleNode>, Json<RuleNode>> = z.union([
  CriterionNode,
  z.object({
    type: z.enum(['all', 'any', 'at_least']),
    id: z.string().optional(),
    label: z.string().optional(),
    k: z.number().describe('How many children must pass.'),
    get children() {
      return z.array(RuleNodeSchema);
    },
  }),
]);
API_COMPONENTS.add(RuleNodeSchema, { id: 'RuleNode' });
export type RuleNodeAgrees = Expect<ShapeCheck<RuleNode, typeof RuleNodeSchema>>;

/** A definition as the analysis resolved it (defaults applied, min_share made a minimum). */
export const ResolvedDefinition = z.discriminatedUnion('kind', [
  z.object({
    name: z.string(),
    description: z.string().optional(),
    window_days: z.number(),
    kind: z.literal('rule'),
    rule: RuleNodeSchema,
  }),
  z.object({
    name: z.string(),
    description: z.string().optional(),
    window_days: z.number(),
    kind: z.literal('score'),
    weights: z.array(z.object({ signal: signalName, weight: z.number() })),
    cutoff: z.object({ min_score: z.number().optional(), top_percent: z.number().optional() }),
  }),
]);
export type ResolvedDefinitionAgrees = Expect<ShapeCheck<Definition, typeof ResolvedDefinition>>;

/**
 * A definition as written in the config (model/definition.ts's DefinitionSchema, whose input this
 * is: its rules and composite scores are the model's own schemas; rule trees are a component).
 */
API_COMPONENTS.add(RuleSchema, { id: 'Rule' });
export const WrittenDefinition = z.object({
  description: z.string().optional(),
  window_days: z.number().int().optional().describe('Days in the window (default 30).'),
  rule: RuleSchema.optional(),
  score: CompositeSchema.optional(),
});
export type WrittenDefinitionAgrees = Expect<ShapeCheck<DefinitionInput, typeof WrittenDefinition>>;

const CurvePoint = z.object({
  days_active: z.number(),
  users: z.number(),
  power_users: z.number(),
});

const Totals = z.object({
  events: z
    .number()
    .describe('All stored events of the project (the other counts are of the window).'),
  users: z.number(),
  accounts: z.number(),
  first_day: z.string().nullable(),
  last_day: z.string().nullable(),
  active_users: z.number(),
  power_users: z.number(),
  power_user_share: z.number(),
});

const Share = z.object({ power_users: z.number(), power_user_share: z.number() });

export const WhatIfSchema = z.object({
  before: Share,
  after: Share,
  entering: z.number(),
  leaving: z.number(),
  entering_users: z.array(z.string()).describe('Up to 20, best score first.'),
  leaving_users: z.array(z.string()).describe('Up to 20, highest former score first.'),
});
export type WhatIfAgrees = Expect<ShapeCheck<WhatIf, typeof WhatIfSchema>>;

export const ReportSchema = z.object({
  project_id: z.string(),
  as_of: z.string(),
  window_days: z.number(),
  definition: ResolvedDefinition,
  history: DataHistory,
  warnings: z.array(DefinitionWarning),
  totals: Totals,
  curves: z.object({ l30: z.array(CurvePoint), l7: z.array(CurvePoint) }),
  concentration: z.object({
    metric: z.literal('key_actions'),
    total: z.number(),
    top: z.array(z.object({ top_percent: z.number(), share: z.number() })),
    lorenz: z.array(z.object({ users_percent: z.number(), actions_share: z.number() })),
    gini: z.number(),
  }),
  power_vs_everyone_else: z.array(
    z.object({
      signal: signalName,
      power_users_median: z.number(),
      power_users_mean: z.number(),
      everyone_else_median: z.number(),
      everyone_else_mean: z.number(),
    }),
  ),
  feature_adoption: z.array(
    z.object({
      feature: z.string(),
      label: z.string(),
      kind: z.enum(['core', 'advanced', 'login']),
      users: z.number(),
      power_users: z.number(),
      everyone_else: z.number(),
      power_users_share: z.number(),
      everyone_else_share: z.number(),
    }),
  ),
  top_power_users: z.array(UserResultSchema),
  segments: z.array(
    z.object({
      segment: z.string(),
      label: z.string(),
      description: z.string(),
      power_users: z.number(),
      share_of_power_users: z.number(),
    }),
  ),
  what_if: WhatIfSchema.optional(),
});
export type ReportAgrees = Expect<ShapeCheck<Report, typeof ReportSchema>>;

/** GET /report: the report, and whether it came from the cache. */
export const ReportAnswer = ReportSchema.extend({
  cache: z
    .object({
      hit: z.boolean(),
      computed_at: z.string().describe('When the report was computed, ISO 8601 in UTC.'),
    })
    .describe('Whether the report came from the cache of reports, and when it was computed.'),
});
export type ReportAnswerAgrees = Expect<
  ShapeCheck<Report & Pick<CachedReport, 'cache'>, typeof ReportAnswer>
>;

/** POST /what-if: the changed definition's totals, and who enters and leaves. */
export const WhatIfAnswer = z.object({ totals: Totals, what_if: WhatIfSchema });
export type WhatIfAnswerAgrees = Expect<
  ShapeCheck<Pick<Report, 'totals'> & { what_if: WhatIf }, typeof WhatIfAnswer>
>;

/** Every trait as sent: any JSON value, at its latest value (docs/events.md, "Traits"). */
const Traits = z
  .record(z.string(), z.unknown())
  .describe('Every trait identify or group calls sent, each at its latest value, as sent.');

/** GET /users/{user_id}: one user explained, with their traits, account and daily activity. */
export const UserExplanationAnswer = UserResultSchema.extend({
  as_of: z.string(),
  window_days: z.number(),
  definition: z.string(),
  features_used: z.array(
    z.object({ feature: z.string(), label: z.string(), kind: z.string(), uses: z.number() }),
  ),
  traits: Traits,
  account: z
    .object({
      account_id: z.string(),
      traits: Traits,
      name: z.string().optional(),
      plan: z.string().optional(),
      seats: z.number().optional(),
      mrr: z.number().optional(),
      csm: z.string().optional(),
    })
    .nullable()
    .describe("The user's account (most of their events in the window) and its traits."),
  history: DataHistory,
  warnings: z.array(DefinitionWarning),
  former_power_user: z
    .object({
      period: z.enum(['day', 'week', 'month']),
      from: z.string().describe('The first day of the first period of their last run as one.'),
      to: z.string().describe('The first day of the last period they were one in.'),
      as_of: z.string().describe('The day that last period was scored as of.'),
      snapshot: z.object({
        score: z.number(),
        days_active: z.number(),
        events: z.number(),
        criteria_met: z.number(),
        criteria_total: z.number(),
      }),
    })
    .nullable()
    .describe(
      'Not a power user now, but one in the stored snapshots: when, and their snapshot then (null otherwise).',
    ),
  activity: z
    .array(
      z.object({
        day: z.string(),
        events: z.number(),
        sessions: z.number(),
        active_seconds: z.number(),
      }),
    )
    .describe('Each active day of the 91 days to as_of, oldest first.'),
});
export type UserExplanationAgrees = Expect<
  ShapeCheck<UserExplanation & { activity: ActivityDay[] }, typeof UserExplanationAnswer>
>;

/** GET /catalogue: the features over the window, configured and inferred. */
export const CatalogueAnswer = z.object({
  as_of: z.string(),
  window_days: z.number(),
  active_users: z.number(),
  features: z.array(
    z.object({
      feature: z.string(),
      label: z.string(),
      source: z.enum(['configured', 'inferred']),
      kind: z.enum(['core', 'advanced']),
      tags: z
        .array(z.enum(LISTING_TAGS))
        .describe('Configured or inferred tags; innovation when it has a release date.'),
      events: z.array(z.string()),
      released: z
        .string()
        .nullable()
        .describe('Configured, or inferred: the first day of a feature new in the data.'),
      first_seen: z
        .string()
        .nullable()
        .describe('The first day any of its events was seen, up to as_of.'),
      users: z.number(),
      users_share: z.number().describe("Share of the window's active users who used it."),
      reasons: z
        .array(z.string())
        .describe(
          'Why it has its kind and each tag, e.g. "advanced: used by 12.0% of active users (below 20%)".',
        ),
    }),
  ),
});
export type CatalogueAgrees = Expect<ShapeCheck<CatalogueListing, typeof CatalogueAnswer>>;
