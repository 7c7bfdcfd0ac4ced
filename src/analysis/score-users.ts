import type { Dialect } from '../dialect/dialect.js';
import type { Engine } from '../engines/engine.js';
import { type Catalogue, CatalogueSchema } from '../model/catalogue.js';
import type { Definition } from '../model/definition.js';
import type { Segment } from '../model/segments.js';
import type { SignalValues } from '../model/signals.js';
import { compileScore } from '../sql/compile-score.js';
import {
  compileScoredPage,
  compileScoredUsers,
  type ScoredPageQuery,
} from '../sql/compile-scored-users.js';
import { compileWindowUses, type SignalSources } from '../sql/compile-signals.js';
import { stageCtes } from '../sql/stage-ctes.js';
import {
  COLLABORATION_LIKE,
  FEEDBACK_LIKE,
  LOGIN_LIKE,
  OPTIMIZATION_LIKE,
  VIEW_LIKE,
} from './catalogue-rules.js';
import {
  type Contribution,
  type CriterionResult,
  contributions,
  criteriaResults,
  type ScoredRow,
  signalValues,
} from './criterion-results.js';
import { explainSentence } from './explain-sentence.js';
import { type UserTraitFields, withTraits } from './explain-traits.js';
import {
  noSegmentReason,
  type SegmentMembership,
  type SegmentVerdicts,
  segmentMemberships,
  segmentReason,
} from './segment-users.js';

/** What scoring needs besides the definition: whose data, up to when, with which catalogue. */
export interface ScoringScope {
  projectId: string;
  asOf: string;
  catalogue?: Catalogue | undefined;
  /** Raw-event sources instead of the rollups (benchmark baseline only). */
  sources?: SignalSources | undefined;
}

export interface UserResult extends UserTraitFields {
  user_id: string;
  account_id: string;
  score: number;
  is_power_user: boolean;
  reason: string;
  /** Rule definitions: every criterion with value, threshold, rank and pass/fail. */
  criteria: CriterionResult[];
  /** Composite definitions: every weighted signal with its rank. */
  contributions: Contribution[];
  signals: SignalValues;
  advanced_features_used: string[];
  /** A power user's segments, each with the sentence and criteria that explain it. */
  segments: UserSegment[];
  /** A power user in no segment: what each segment lacks, in one sentence (else null). */
  no_segment_reason: string | null;
}

export interface UserSegment extends SegmentMembership {
  reason: string;
}

export function catalogueOf(scope: ScoringScope): Catalogue {
  return scope.catalogue ?? CatalogueSchema.parse({});
}

export function signalsInput(scope: ScoringScope, dialect: Dialect) {
  return {
    projectId: scope.projectId,
    asOf: scope.asOf,
    catalogue: catalogueOf(scope),
    loginPattern: LOGIN_LIKE,
    collaborationPattern: COLLABORATION_LIKE,
    feedbackPattern: FEEDBACK_LIKE,
    viewPattern: VIEW_LIKE,
    optimizationPattern: OPTIMIZATION_LIKE,
    sources: scope.sources,
    dialect,
  };
}

/** The temp tables scoreInto keeps next to `table`: the window's uses of events and features. */
export function windowUsesTables(table: string): { userEvent: string; userPropFeature: string } {
  return { userEvent: `${table}_user_event`, userPropFeature: `${table}_user_prop_feature` };
}

/**
 * The scoring query's CTEs read in several places: the signals (by the ranks and the verdict) and
 * what the per-feature counts and the catalogue size are read from.
 */
const SHARED_SCORING_CTES = ['user_feature', 'feature_info', 'signals'] as const;

/**
 * Scores every user active in the window into the temp table `table` (default `scored`). The
 * window's uses of events and features are kept in two temp tables next to it
 * (windowUsesTables), so the report's feature adoption does not scan the rollups again.
 */
export async function scoreInto(
  engine: Engine,
  definition: Definition,
  scope: ScoringScope,
  table = 'scored',
): Promise<void> {
  const d = engine.dialect;
  const input = signalsInput(scope, d);
  const uses = compileWindowUses({ ...input, windowDays: definition.window_days });
  const tables = windowUsesTables(table);
  await engine.run(d.scratchTable(tables.userEvent, uses.userEvent), uses.params);
  await engine.run(d.scratchTable(tables.userPropFeature, uses.userPropFeature), uses.params);
  const { sql, params } = compileScore(definition, { ...input, reuse: tables });
  const staged = stageCtes(sql, SHARED_SCORING_CTES, d, table);
  for (const statement of staged.statements) await engine.run(statement, params);
  await engine.run(d.scratchTable(table, staged.sql), params);
}

export function toUserResult(
  definition: Definition,
  row: ScoredRow,
  labels: ReadonlyMap<string, string> = new Map(),
  verdicts?: SegmentVerdicts,
): UserResult {
  const segments = verdicts?.memberships.get(row.user_id) ?? [];
  const misses = verdicts?.misses.get(row.user_id);
  const ctx = { windowDays: definition.window_days, row, labels };
  const explained = {
    criteria: criteriaResults(definition, row),
    contributions: contributions(definition, row),
  };
  return {
    user_id: row.user_id,
    account_id: row.account_id,
    score: row.score,
    is_power_user: row.is_power_user,
    reason: explainSentence(definition, row, ctx, explained),
    ...explained,
    signals: signalValues(row),
    advanced_features_used: row.advanced_list,
    segments: segments.map((m) => ({ ...m, reason: segmentReason(m, ctx) })),
    no_segment_reason: misses && misses.length > 0 ? noSegmentReason(misses, ctx) : null,
  };
}

export interface ReadUsersOptions {
  powerOnly?: boolean | undefined;
  userId?: string | undefined;
  limit?: number | undefined;
  labels?: ReadonlyMap<string, string> | undefined;
  /** The segments to place power users in (none: every user's list stays empty). */
  segments?: readonly Segment[] | undefined;
  /** Segment memberships already worked out for this scoring (instead of `segments`). */
  memberships?: SegmentVerdicts | undefined;
  /** Add each user's e-mail, name, account name and plan from this project's traits. */
  traitsOf?: string | undefined;
}

/** Users of the last scoring (the temp table `scored`), best score first. */
export async function readScoredUsers(
  engine: Engine,
  definition: Definition,
  options: ReadUsersOptions = {},
): Promise<UserResult[]> {
  const { sql, params } = compileScoredUsers(engine.dialect, options);
  const rows = await engine.query<ScoredRow>(sql, params);
  const verdicts =
    options.memberships ??
    (options.segments
      ? await segmentMemberships(engine, options.segments, definition.window_days)
      : undefined);
  const users = rows.map((r) => toUserResult(definition, r, options.labels, verdicts));
  return options.traitsOf === undefined ? users : withTraits(engine, options.traitsOf, users);
}

/**
 * One page of the last scoring's users, filtered, sorted and cut in SQL, with the total: the
 * users page of the API builds explanations for the page only, not for every user.
 */
export async function readScoredPage(
  engine: Engine,
  definition: Definition,
  query: ScoredPageQuery,
  options: {
    labels?: ReadonlyMap<string, string>;
    segments?: readonly Segment[];
    /** Add the page's traits from this project (a lookup for the page only). */
    traitsOf?: string;
  } = {},
): Promise<{ total: number; users: UserResult[] }> {
  const { count: countQuery, page } = compileScoredPage(engine.dialect, query);
  const [count] = await engine.query<{ n: number }>(countQuery.sql, countQuery.params);
  const rows = await engine.query<ScoredRow>(page.sql, page.params);
  const verdicts = options.segments
    ? await segmentMemberships(engine, options.segments, definition.window_days)
    : undefined;
  const users = rows.map((r) => toUserResult(definition, r, options.labels, verdicts));
  return {
    total: count?.n ?? 0,
    users:
      options.traitsOf === undefined ? users : await withTraits(engine, options.traitsOf, users),
  };
}
