import { z } from 'zod';
import type { AccountReport } from '../../accounts/account-report.js';
import type { LifecyclePerson, LifecycleReport } from '../../lifecycle/lifecycle-report.js';
import { LIFECYCLE_STATES, type LifecycleState } from '../../sql/compile-lifecycle.js';
import type { Expect, ShapeCheck } from './same-shape.js';

/**
 * The answers of the lifecycle and accounts routes, in zod (the API's contract, as
 * answer-schemas.ts), each checked at compile time against its use case's type.
 */

const lifecycleState = z.enum(LIFECYCLE_STATES);

/** GET /lifecycle: states per period, the flows between them, and retention. */
export const LifecycleAnswer = z.object({
  definition: z.string(),
  period: z.string().describe('day, week or month.'),
  first_day: z.string().nullable().describe('The first day with data (null before any).'),
  periods: z.array(
    z.object({
      period_start: z.string(),
      baseline: z
        .boolean()
        .describe('The first stored period: nothing before it to compare with, so no states.'),
      window_start: z
        .string()
        .nullable()
        .describe(
          'The first day of the window it was scored over (null: stored by an older version).',
        ),
      partial: z
        .boolean()
        .describe(
          'The window starts before the first day of data: scored on fewer days than the window has.',
        ),
      active_users: z.number(),
      power_users: z.number(),
      power_user_share: z.number(),
      states: z
        .object(
          Object.fromEntries(LIFECYCLE_STATES.map((s) => [s, z.number()])) as Record<
            LifecycleState,
            z.ZodNumber
          >,
        )
        .describe('Users in each state in the period.'),
    }),
  ),
  retention: z
    .array(
      z.object({
        group: z.enum(['power_users', 'everyone_else']),
        periods_later: z.number(),
        cohort: z
          .number()
          .describe('Users active in a period with at least periods_later periods after it.'),
        retained: z.number(),
        share: z.number(),
      }),
    )
    .describe('Of the users active in a period, the share still active periods_later on.'),
  flows: z.array(
    z.object({
      period_start: z.string(),
      from: z.string().describe("The state before ('' = in no state)."),
      to: z.string(),
      users: z.number(),
    }),
  ),
});
export type LifecycleAgrees = Expect<ShapeCheck<LifecycleReport, typeof LifecycleAnswer>>;

const LifecyclePersonSchema = z.object({
  user_id: z.string(),
  period_start: z.string(),
  state: lifecycleState,
  account_id: z.string(),
  score: z.number(),
  is_power_user: z.boolean(),
  trend: z
    .number()
    .nullable()
    .describe('Events against the window before, in percent; null ("n/a") when that one had none.'),
  days_active: z.number(),
  previous_score: z.number().describe('The score in the period before.'),
  segments: z.array(z.string()),
  days_active_7: z.number().describe('Days active in the last 7 days of the window.'),
  events_7: z.number().describe('Events in the last 7 days of the window.'),
  baseline_days_active: z.number().describe('Days active in the 28 days before those.'),
  baseline_events: z.number().describe('Events in the 28 days before those.'),
  baseline_days: z
    .number()
    .describe(
      'Of those 28 days, the ones since the user was first seen (the usual week is per 7 of them).',
    ),
  attainment: z.number().describe('How close to the definition, 0..1 (1 = a power user).'),
  attainment_history: z
    .array(z.number())
    .describe(
      'The attainment of the periods emerging compares, oldest first, ending with this one; empty without that history.',
    ),
  reason: z.string().describe('Why the user is in the state, with the numbers that decided it.'),
});
export type LifecyclePersonAgrees = Expect<
  ShapeCheck<LifecyclePerson, typeof LifecyclePersonSchema>
>;

/** GET /lifecycle/people: the people in one state in one period. */
export const LifecyclePeopleAnswer = z.object({
  period_start: z.string(),
  people: z.array(LifecyclePersonSchema),
});

const AccountSchema = z.object({
  account_id: z.string(),
  name: z.string().optional().describe("From the account's group calls, when known."),
  plan: z.string().optional(),
  seats: z.number().optional(),
  mrr: z.number().optional(),
  csm: z.string().optional(),
  users: z.number(),
  active_users: z.number(),
  power_users: z.number(),
  power_user_share: z.number(),
  power_user_seat_share: z
    .number()
    .optional()
    .describe('Power users per seat it pays for, when its seats are known.'),
  catalogue_coverage: z
    .number()
    .describe("Share of the catalogue's features its active users used in the window."),
  curve: z.array(z.object({ days_active: z.number(), users: z.number(), power_users: z.number() })),
  signals: z.array(
    z.object({
      signal: z.enum([
        'lost_power_users',
        'champion_silent',
        'maven_moved_out',
        'maven_moved_in',
        'expansion_candidate',
      ]),
      kind: z.enum(['risk', 'chance']),
      explanation: z.string(),
      since: z
        .string()
        .optional()
        .describe(
          'The first day the condition held: for lost power users the first day of the first period without any, for a silent champion the first day unseen, for a maven moved the first day of the period after their last as a power user in the account they left.',
        ),
      user_id: z
        .string()
        .optional()
        .describe('The person the signal is about (a silent champion, a maven moved).'),
    }),
  ),
  risk_rank: z
    .number()
    .optional()
    .describe(
      'Among the accounts with a risk, 1 for the one with most at stake (MRR, else seats, else active users); absent without a risk.',
    ),
});

/**
 * GET /accounts: power users per account, with churn risks and expansion chances. A project
 * without events yet answers without a date (as_of null) and without similarity (null).
 */
export const AccountsAnswer = z.object({
  as_of: z.string().nullable(),
  window_days: z.number(),
  definition: z.string(),
  period: z.string(),
  compared_periods: z
    .boolean()
    .describe('Whether snapshots were there to compare periods (lost, champion, maven need two).'),
  computed_periods: z
    .number()
    .describe(
      'Snapshot periods this request computed: the history the signals need when not stored, and those since the last stored one.',
    ),
  lookback_periods: z
    .number()
    .describe('Periods looked back for power users an account had (a quarter by default).'),
  history_limit: z
    .object({ from: z.string(), hint: z.string() })
    .nullable()
    .describe(
      'Set when this request computed less history than the lookback asks for (one request computes at most 14 periods of it): the first day the signals look back to, and how to store the rest.',
    ),
  similarity: z
    .object({ method: z.string(), reference_accounts: z.number(), min_similarity: z.number() })
    .nullable(),
  accounts: z.array(AccountSchema),
});

/** The use case's report, or (a project without events) the route's empty one. */
export type AccountsAgrees = Expect<
  ShapeCheck<
    Omit<AccountReport, 'as_of' | 'similarity'> & {
      as_of: string | null;
      similarity: AccountReport['similarity'] | null;
    },
    typeof AccountsAnswer
  >
>;
