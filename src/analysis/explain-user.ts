import type { Engine } from '../engines/engine.js';
import type { Catalogue } from '../model/catalogue.js';
import type { Definition } from '../model/definition.js';
import type { DefinitionWarning } from '../model/definition-problems.js';
import type { Segment } from '../model/segments.js';
import { compileUserFeatures } from '../sql/compile-features.js';
import { compileUserSeen } from '../sql/compile-user-activity.js';
import type { PeriodKind } from '../time/periods.js';
import { AnalysisError } from './analysis-error.js';
import {
  type AccountTraits,
  readAccountTraits,
  readUserTraits,
  type Traits,
  type UserTraitFields,
} from './explain-traits.js';
import { featureLabel, featureLabels } from './feature-labels.js';
import {
  type FormerPowerUser,
  formerPeriods,
  formerPowerUser,
  formerPowerUserReason,
} from './power-history.js';
import { readScoredUsers, scoreInto, signalsInput, type UserResult } from './score-users.js';
import { type DataHistory, verdictWarnings } from './verdict-warnings.js';

export interface UserExplanation extends UserResult {
  as_of: string;
  window_days: number;
  definition: string;
  features_used: { feature: string; label: string; kind: string; uses: number }[];
  /** Everything identify calls said about the user, each trait at its latest value. */
  traits: Traits;
  /** The user's account (the one with most of their events in the window) and its traits. */
  account: ExplainedAccount | null;
  /** The data the verdict is computed from, and what it cannot be trusted for. */
  history: DataHistory;
  warnings: DefinitionWarning[];
  /**
   * Not a power user now, but one in the stored snapshots (docs/lifecycle.md): when, and their
   * snapshot then; the reason then says what changed. Null otherwise.
   */
  former_power_user: FormerPowerUser | null;
}

export interface ExplainedAccount extends AccountTraits {
  account_id: string;
}

/** The user's e-mail and name, and their account's name and plan, as the users list has them. */
function traitFields(
  user: { email?: string | undefined; name?: string | undefined } | undefined,
  account: ExplainedAccount | null,
): UserTraitFields {
  const fields: UserTraitFields = {};
  if (user?.email) fields.email = user.email;
  if (user?.name) fields.name = user.name;
  if (account?.name) fields.account_name = account.name;
  if (account?.plan) fields.plan = account.plan;
  return fields;
}

/** One user's verdict with every criterion, signal and feature used, or why there is none. */
export async function explainUser(
  engine: Engine,
  options: {
    projectId: string;
    userId: string;
    definition: Definition;
    /** The last day of the window, resolved where the request entered (resolveAsOf). */
    asOf: string;
    catalogue?: Catalogue | undefined;
    segments?: readonly Segment[] | undefined;
    /** The period of the stored snapshots to look for a former power user in (default: week). */
    period?: PeriodKind | undefined;
  },
): Promise<UserExplanation> {
  const { projectId, userId, definition, asOf } = options;
  const d = engine.dialect;
  const scope = { projectId, asOf, catalogue: options.catalogue, dialect: d };
  await scoreInto(engine, definition, scope);
  const labels = featureLabels(options.catalogue);
  const [user] = await readScoredUsers(engine, definition, {
    userId,
    labels,
    segments: options.segments,
  });
  const former = (): Promise<FormerPowerUser | null> =>
    formerPowerUser(engine, {
      projectId,
      definition: definition.name,
      period: options.period ?? 'week',
      userId,
      asOf,
    });
  if (!user) {
    const seenQuery = compileUserSeen(d, projectId, userId);
    const [seen] = await engine.query<{
      first: string | null;
      last: string | null;
      anonymous: boolean | null;
    }>(seenQuery.sql, seenQuery.params);
    if (!seen?.last) throw new AnalysisError(`no user "${userId}" in project ${projectId}.`);
    if (seen.anonymous) {
      throw new AnalysisError(
        `"${userId}" is an anonymous id (seen ${seen.first} to ${seen.last}), not a user: anonymous visitors are never scored.`,
      );
    }
    const was = await former();
    const then = was ? `; a power user ${formerPeriods(was)}` : '';
    throw new AnalysisError(
      `user "${userId}" was not active in the ${definition.window_days} days to ${asOf} (seen ${seen.first} to ${seen.last}${then}); try the as-of date ${seen.last}.`,
    );
  }
  const was = user.is_power_user ? null : await former();
  const reason = was
    ? formerPowerUserReason(
        was,
        {
          days_active: user.signals.days_active,
          events: user.signals.events,
          criteria_met: user.criteria.filter((c) => c.passed).length,
        },
        definition.window_days,
        user.reason,
      )
    : user.reason;
  const { sql, params } = compileUserFeatures({
    ...signalsInput(scope, engine.dialect),
    windowDays: definition.window_days,
  });
  const features = await engine.query<{
    feature: string;
    uses: number;
    is_advanced: boolean;
    is_login: boolean;
  }>(sql, { ...params, user: userId });
  const person = (await readUserTraits(engine, projectId, [user.user_id])).get(user.user_id);
  const accountTraits = user.account_id
    ? (await readAccountTraits(engine, projectId, [user.account_id])).get(user.account_id)
    : undefined;
  const account: ExplainedAccount | null = user.account_id
    ? { account_id: user.account_id, ...(accountTraits ?? { traits: {} }) }
    : null;
  return {
    ...user,
    reason,
    ...traitFields(person, account),
    as_of: asOf,
    window_days: definition.window_days,
    definition: definition.name,
    features_used: features.map((f) => ({
      feature: f.feature,
      label: featureLabel(f.feature, labels),
      kind: f.is_login ? 'login' : f.is_advanced ? 'advanced' : 'core',
      uses: Number(f.uses),
    })),
    traits: person?.traits ?? {},
    account,
    ...(await verdictWarnings(engine, projectId, definition, asOf)),
    former_power_user: was,
  };
}
