import { signalsInput, windowUsesTables } from '../analysis/score-users.js';
import type { Engine } from '../engines/engine.js';
import type { Catalogue } from '../model/catalogue.js';
import { compileAccountFeatures } from '../sql/compile-features.js';
import { stageCtes } from '../sql/stage-ctes.js';
import type { Accounts } from './account.js';

/** Each account's usage profile: per feature, the share of its active users who used it. */
export type UsageProfiles = Map<string, Map<string, number>>;

export interface CoverageInput {
  projectId: string;
  asOf: string;
  windowDays: number;
  catalogue?: Catalogue | undefined;
}

/**
 * Feature use per account in the window of the last scoring (`scored`): sets each account's
 * catalogue coverage (the share of the catalogue's features its active users used) and returns
 * the usage profiles, which expansion compares.
 */
export async function accountCoverage(
  engine: Engine,
  input: CoverageInput,
  accounts: Accounts,
): Promise<UsageProfiles> {
  const d = engine.dialect;
  const features = compileAccountFeatures({
    ...signalsInput(
      {
        projectId: input.projectId,
        asOf: input.asOf,
        catalogue: input.catalogue,
      },
      d,
    ),
    windowDays: input.windowDays,
    reuse: { ...windowUsesTables('scored'), scored: 'scored' },
  });
  const staged = stageCtes(features.sql, ['user_feature', 'feature_info'], d, 'accounts');
  for (const statement of staged.statements) await engine.run(statement, features.params);
  const profiles: UsageProfiles = new Map();
  for (const f of await engine.query<{
    account_id: string;
    feature: string;
    users: number;
    catalogue_size: number;
  }>(staged.sql, features.params)) {
    const a = accounts.get(f.account_id);
    if (!a) continue;
    const profile = profiles.get(f.account_id) ?? new Map<string, number>();
    profile.set(f.feature, f.users / Math.max(1, a.active_users));
    profiles.set(f.account_id, profile);
    a.catalogue_coverage = profile.size / Math.max(1, f.catalogue_size);
  }
  return profiles;
}
