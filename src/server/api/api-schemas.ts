import { z } from 'zod';
import { DAY_HINT, FIRST_DAY, isIsoDay, LAST_DAY } from '../../time/days.js';
import { PERIOD_KINDS } from '../../time/periods.js';

/**
 * The REST API's parameters and answers, in zod: requests are validated with them and the
 * OpenAPI document at /api/v1/openapi.json is generated from them (fastify-type-provider-zod),
 * as the config's own schemas generate the definition bodies.
 */

// The pattern alone lets 2026-02-30 and 2026-13-01 through to the database, which fails on them
// (a 500); the refinement keeps them out. The pattern stays for the OpenAPI document, and aborts so
// that a malformed day gets one message, not two.
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: DAY_HINT, abort: true })
  .refine(isIsoDay, { message: DAY_HINT })
  .describe(`A local day, YYYY-MM-DD, from ${FIRST_DAY} to ${LAST_DAY}.`);

export const ScoringQuery = z.object({
  definition: z.string().optional().describe('A named definition (default: the config default).'),
  as_of: day.optional().describe('Last day of the window (default: the last day with data).'),
  window: z.coerce.number().int().min(1).max(366).optional().describe('Window in days.'),
});

export const UsersQuery = ScoringQuery.extend({
  power: z
    .enum(['true', 'false'])
    .optional()
    .describe('true: power users only; false: everyone else only.'),
  q: z.string().max(200).optional().describe('Users or accounts whose id contains this text.'),
  segment: z.string().optional().describe('Power users in this segment.'),
  sort: z
    .enum(['score', 'user_id', 'account_id', 'days_active', 'key_actions', 'events'])
    .default('score'),
  order: z.enum(['asc', 'desc']).default('desc'),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
  format: z.enum(['json', 'csv']).default('json').describe('csv: every matching user as CSV.'),
});

export const UserParams = z.object({ user_id: z.string().min(1).max(500) });
export const NameParams = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, {
    message: 'use lower-case letters, digits and _ (starting with a letter)',
  }),
});

export const WhatIfBody = z
  .object({
    definition: z.string().optional().describe('The named definition to start from.'),
    as_of: day.optional(),
    window: z.number().int().min(1).max(366).optional(),
    set: z
      .array(z.string())
      .min(1)
      .describe('Changes as KEY=VALUE, e.g. days_active.min=15 (as analyze --set).'),
  })
  .strict();

export const LifecycleQuery = z.object({
  definition: z.string().optional(),
  period: z.enum(PERIOD_KINDS as ['day', 'week', 'month']).optional(),
});

export const LifecyclePeopleQuery = LifecycleQuery.extend({
  state: z.enum(['new', 'retained', 'resurrected', 'at_risk', 'lost', 'emerging']),
  at: day.optional().describe('A day of the period (default: the last period).'),
});

export const AccountsQuery = ScoringQuery.extend({
  period: z.enum(PERIOD_KINDS as ['day', 'week', 'month']).optional(),
  at_risk: z.enum(['true', 'false']).optional(),
  expansion: z.enum(['true', 'false']).optional(),
});

/** A warning beside a verdict: it still runs, but may mislead (docs/definition.md, "Warnings"). */
export const DefinitionWarning = z.object({
  kind: z
    .enum(['single_metric', 'history'])
    .describe(
      'single_metric: the definition can be met on frequency alone; history: the data do not go back far enough for a criterion',
    ),
  criteria: z.array(z.string()).describe('The criteria (ids) or weighted signals it is about.'),
  needs_days: z.number().optional().describe('history: the days of data the criterion needs.'),
  history_days: z.number().optional().describe('history: the days of data there are.'),
  message: z.string(),
});

/** The data a verdict is computed from, up to its as-of date. */
export const DataHistory = z.object({
  first_day: z.string().nullable().describe('The first day with data (null: none).'),
  days: z.number().describe('Days from the first day with data to as_of, both included.'),
});

export const DefinitionSummary = z.object({
  name: z.string(),
  description: z.string().nullable(),
  kind: z.enum(['rule', 'score']),
  window_days: z.number(),
  text: z.string().describe('The definition in plain words.'),
  is_default: z.boolean(),
  warnings: z
    .array(DefinitionWarning)
    .describe('What its verdicts may get wrong whatever the data (the single-metric trap).'),
});

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe('Each invalid field with what to do about it.'),
  })
  .describe('RFC 9457 problem details (application/problem+json).');

/** A body read as any JSON object (the definition route validates it itself, for precise errors). */
export const Loose = z.record(z.string(), z.unknown());

export const FailedEventsQuery = z.object({
  reason: z.string().max(200).optional().describe('Only reasons containing this text (any case).'),
  source: z
    .string()
    .max(200)
    .optional()
    .describe('Only sources containing this text: segment, posthog, or an imported file.'),
  include_resolved: z
    .enum(['true', 'false'])
    .default('false')
    .describe('true: also the messages re-submitted and stored since.'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const FailedEventsPage = z.object({
  total: z.number().int().describe('Rejected messages matching the filters.'),
  limit: z.number().int(),
  offset: z.number().int(),
  by_reason: z
    .array(z.object({ reason: z.string(), count: z.number().int() }))
    .describe('The matching messages counted per reason, most frequent first (at most 50).'),
  events: z.array(
    z.object({
      failed_id: z.string(),
      source: z.string(),
      source_line: z.number().int().nullable().describe('The line, for an imported file.'),
      reason: z.string(),
      raw: z.string().nullable().describe('The message as received (never with a credential).'),
      raw_truncated: z.boolean().describe('raw is cut (the first 10,000 characters).'),
      failed_at: z.string().describe('When it was rejected, ISO 8601 in UTC.'),
      resolved_at: z.string().nullable().describe('When it was re-submitted and stored.'),
    }),
  ),
});

const periodKind = z.enum(PERIOD_KINDS as ['day', 'week', 'month']);

export const SnapshotsQuery = z.object({
  definition: z.string().optional(),
  period: periodKind.optional().describe('day, week or month (default: lifecycle.period).'),
});

export const SnapshotsStatus = z.object({
  definition: z.string(),
  period: periodKind,
  first_day: z.string().nullable().describe('The first day with data (null: no data yet).'),
  last_day: z.string().nullable().describe('The last day with data.'),
  stored_periods: z.number().int(),
  first_period_start: z.string().nullable(),
  last_period_start: z.string().nullable().describe('The latest period stored (its first day).'),
  last_as_of: z.string().nullable().describe('The day that period was scored as of.'),
  max_periods: z.number().int().describe('The most periods one request stores.'),
});

export const SnapshotsBody = z
  .object({
    from: day
      .optional()
      .describe(
        'Backfill: every period from the one holding this day, replacing what is stored. Without it, the periods since the last one stored.',
      ),
    period: periodKind.optional().describe('day, week or month (default: lifecycle.period).'),
    definition: z.string().optional().describe('A named definition (default: the config default).'),
  })
  .strict();

export const SnapshotsRun = z.object({
  definition: z.string(),
  period: periodKind,
  periods: z
    .array(
      z.object({
        period_start: z.string(),
        as_of: z.string().describe('The day the period was scored as of.'),
        users: z.number().int().describe('Active users.'),
        power_users: z.number().int(),
        window_start: z.string().describe('The first day of the window it was scored over.'),
        partial: z
          .boolean()
          .describe(
            'The window starts before the first day of data: scored on fewer days than the window has.',
          ),
      }),
    )
    .describe('Each period written, oldest first.'),
});
