import type { Engine } from '../engines/engine.js';
import type { Catalogue } from '../model/catalogue.js';
import type { Definition } from '../model/definition.js';
import type { Segment } from '../model/segments.js';
import { compileUserFeatures } from '../sql/compile-features.js';
import { DIALECTS } from '../sql/dialects/index.js';
import { featureLabel } from './explain.js';
import { AnalysisError, resolveAsOf } from './run-analysis.js';
import {
  featureLabels,
  readScoredUsers,
  scoreInto,
  signalsInput,
  type UserResult,
} from './score-users.js';

export interface UserExplanation extends UserResult {
  as_of: string;
  window_days: number;
  definition: string;
  features_used: { feature: string; label: string; kind: string; uses: number }[];
}

/** One user's verdict with every criterion, signal and feature used, or why there is none. */
export async function explainUser(
  engine: Engine,
  options: {
    projectId: string;
    userId: string;
    definition: Definition;
    asOf?: string | undefined;
    catalogue?: Catalogue | undefined;
    segments?: readonly Segment[] | undefined;
  },
): Promise<UserExplanation> {
  const { projectId, userId, definition } = options;
  const asOf = await resolveAsOf(engine, projectId, options.asOf);
  const d = DIALECTS[engine.dialect];
  const scope = { projectId, asOf, catalogue: options.catalogue, dialect: d };
  await scoreInto(engine, definition, scope);
  const labels = featureLabels(options.catalogue);
  const [user] = await readScoredUsers(engine, definition, {
    userId,
    labels,
    segments: options.segments,
  });
  if (!user) {
    const [seen] = await engine.query<{
      first: string | null;
      last: string | null;
      anonymous: boolean | null;
    }>(
      `SELECT ${d.dateText('min(day)')} AS first, ${d.dateText('max(day)')} AS last,
         ${d.bool(`NOT ${d.boolOr('NOT anonymous')}`)} AS anonymous
       FROM user_day
       WHERE project_id = ${d.param('p', 'String')} AND user_id = ${d.param('u', 'String')}`,
      { p: projectId, u: userId },
    );
    if (!seen?.last) throw new AnalysisError(`no user "${userId}" in project ${projectId}.`);
    if (seen.anonymous) {
      throw new AnalysisError(
        `"${userId}" is an anonymous id (seen ${seen.first} to ${seen.last}), not a user: anonymous visitors are never scored.`,
      );
    }
    throw new AnalysisError(
      `user "${userId}" was not active in the ${definition.window_days} days to ${asOf} (seen ${seen.first} to ${seen.last}); try --as-of ${seen.last}.`,
    );
  }
  const { sql, params } = compileUserFeatures({
    ...signalsInput(scope),
    windowDays: definition.window_days,
  });
  const features = await engine.query<{
    feature: string;
    uses: number;
    is_advanced: boolean;
    is_login: boolean;
  }>(sql, { ...params, user: userId });
  return {
    ...user,
    as_of: asOf,
    window_days: definition.window_days,
    definition: definition.name,
    features_used: features.map((f) => ({
      feature: f.feature,
      label: featureLabel(f.feature, labels),
      kind: f.is_login ? 'login' : f.is_advanced ? 'advanced' : 'core',
      uses: Number(f.uses),
    })),
  };
}
