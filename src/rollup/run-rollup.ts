import { createHash } from 'node:crypto';
import type { SqlParams } from '../dialect/sql-value.js';
import type { Engine } from '../engines/engine.js';
import type { Catalogue } from '../model/catalogue.js';
import {
  compileMarkMembershipDays,
  compileRollup,
  type PropertyFeature,
  propertyFeatures,
  type RollupScope,
  rollupEventRange,
} from '../sql/compile-rollup.js';
import {
  compileBuiltDays,
  compileClearDirtyDays,
  compileClearReportCache,
  compileDirtyDays,
  compileHasMemberships,
  compileRollupState,
  compileSaveRollupState,
  type RollupStateRow,
} from '../sql/compile-rollup-state.js';
import { resolveIdentities } from './resolve-identities.js';

/**
 * Bumped when the rollup tables gain content older builds lack, or count it differently: a stale
 * build is rebuilt. 3: session seconds summed as whole milliseconds and rounded the same way on
 * every engine. 4: events without an account take it from their person's group memberships.
 */
export const ROLLUP_VERSION = 4;

export interface RollupOptions {
  projectId: string;
  timeZone: string;
  sessionGapMinutes: number;
  /** Rebuild every day, not only the dirty ones. */
  full?: boolean | undefined;
  /** The feature catalogue: its property-condition features fill user_day_feature. */
  catalogue?: Catalogue | undefined;
  now?: Date | undefined;
}

export interface RollupReport {
  mode: 'full' | 'incremental' | 'up-to-date';
  /** Why a full rebuild, or the rebuild of user_day_feature alone, happened. */
  reason?: string;
  /** user_day_feature was rebuilt for every day (a full rebuild, or its features changed). */
  features_rebuilt: boolean;
  days_rebuilt: number;
  /** Ids (anonymous, or aliased) now counted for a different person than before. */
  ids_relinked: number;
  user_days: number;
  seconds: number;
}

/** Text of the features_hash of no property feature: what migration v2 gives older states. */
const NO_FEATURES_HASH = '';

/**
 * A stable hash of what user_day_feature holds: the property features as compiled (name, event
 * patterns, conditions), independent of the order of features, events and conditions.
 */
export function propertyFeaturesHash(features: readonly PropertyFeature[]): string {
  if (features.length === 0) return NO_FEATURES_HASH;
  const canonical = features
    .map((f) =>
      JSON.stringify([
        f.name,
        [...f.eventPatterns].sort(),
        f.conditions.map(([path, value]) => [path, value]).sort(),
      ]),
    )
    .sort();
  return createHash('sha256')
    .update(JSON.stringify(['v1', canonical]))
    .digest('hex');
}

/**
 * Refreshes user_day, user_day_event and user_day_feature: incrementally from the dirty days, or
 * fully when asked, when nothing was built yet, or when the time zone or session gap changed since
 * the last build. When only the catalogue's property features changed, user_day_feature alone is
 * rebuilt for every day. Runs in one transaction, so a refresh run twice changes nothing the
 * second time.
 */
export async function runRollup(engine: Engine, options: RollupOptions): Promise<RollupReport> {
  const started = performance.now();
  const gapSeconds = Math.round(options.sessionGapMinutes * 60);
  const p = options.projectId;
  const features = propertyFeatures(options.catalogue);
  const featuresHash = propertyFeaturesHash(features);
  const d = engine.dialect;
  const query = <T>(st: { sql: string; params: SqlParams }) => engine.query<T>(st.sql, st.params);
  const run = (st: { sql: string; params: SqlParams }) => engine.run(st.sql, st.params);
  return engine.transaction(async () => {
    const state = await query<RollupStateRow>(compileRollupState(d, p));
    const dirtyDays = async () =>
      (await query<{ day: string }>(compileDirtyDays(d, p))).map((r) => r.day);
    let dirty = await dirtyDays();
    const prior = state[0];
    let reason: string | undefined;
    if (options.full) reason = 'requested';
    else if (!prior) reason = 'first build';
    else if (prior.time_zone !== options.timeZone) {
      reason = `time zone changed from ${prior.time_zone} to ${options.timeZone}`;
    } else if (prior.session_gap_seconds !== gapSeconds) reason = 'session gap changed';
    else if (prior.rollup_version < ROLLUP_VERSION) reason = 'rollup format upgraded';

    const featuresChanged =
      prior !== undefined && (prior.features_hash ?? NO_FEATURES_HASH) !== featuresHash;

    // Group calls mark no day when they are stored; the days they change are found here.
    const [hasGroups] = await query<{ n: number }>(compileHasMemberships(d, p));
    const memberships = (hasGroups?.n ?? 0) > 0;
    const membershipDays = compileMarkMembershipDays(d);
    const markMembershipDays = async (): Promise<void> => {
      const [stale] = await engine.query<{ n: number }>(membershipDays.count, { p });
      if ((stale?.n ?? 0) === 0) return;
      await engine.run(membershipDays.mark, { p });
      dirty = await dirtyDays();
    };
    if (!reason && memberships) await markMembershipDays();

    if (!reason && dirty.length === 0 && !featuresChanged) {
      return {
        mode: 'up-to-date',
        features_rebuilt: false,
        days_rebuilt: 0,
        ids_relinked: 0,
        user_days: 0,
        seconds: 0,
      };
    }
    // Links between ids arrive with new records, which mark their days dirty: only then can
    // they change, and a changed id marks the days it was counted on.
    let identities = { mapped: false, changed: 0 };
    if (reason) {
      identities = await resolveIdentities(engine, {
        projectId: p,
        events: { kind: 'all' },
        markDays: false,
      });
    } else if (dirty.length > 0) {
      identities = await resolveIdentities(engine, {
        projectId: p,
        events: { kind: 'range', ...rollupEventRange(dirty) },
        markDays: true,
      });
      if (identities.changed > 0) {
        // A relinked visitor's group call is now their person's.
        if (memberships) await markMembershipDays();
        dirty = await dirtyDays();
        // Relinked ids can dirty most days (anonymous visits spread over months): past half of
        // them, one full rebuild is faster than a day-by-day one (7.9 s against 10.0 s at 10M
        // events, docs/benchmarks.md).
        const [built] = await query<{ n: number }>(compileBuiltDays(d, p));
        if (dirty.length > 14 && dirty.length * 2 >= (built?.n ?? 0)) {
          reason = `ids relinked on ${dirty.length} days: a full rebuild is faster`;
        }
      }
    }
    const scope: RollupScope = reason ? { kind: 'all' } : { kind: 'days', days: dirty };
    const s = compileRollup({
      identities: identities.mapped,
      memberships,
      dialect: d,
      projectId: p,
      timeZone: options.timeZone,
      sessionGapSeconds: gapSeconds,
      scope,
      propertyFeatures: features,
      allFeatureDays: featuresChanged,
    });
    let user_days = 0;
    if (scope.kind === 'all' || dirty.length > 0) {
      await engine.run(s.deleteUserDay, s.params);
      await engine.run(s.deleteUserDayEvent, s.params);
      user_days = await engine.run(s.insertUserDay, s.params);
      await engine.run(s.insertUserDayEvent, s.params);
    }
    await engine.run(s.deleteUserDayFeature, s.params);
    if (s.insertUserDayFeature) await engine.run(s.insertUserDayFeature, s.params);
    // Cached reports were computed from the rollups just changed.
    await run(compileClearReportCache(d, p));
    // Dirty days are consumed only now, in the same transaction as the rebuild.
    await run(compileClearDirtyDays(d, p));
    await run(
      compileSaveRollupState(d, {
        projectId: p,
        timeZone: options.timeZone,
        sessionGapSeconds: gapSeconds,
        refreshedAt: (options.now ?? new Date()).toISOString(),
        rollupVersion: ROLLUP_VERSION,
        featuresHash,
      }),
    );
    const days_rebuilt =
      s.rebuiltDays?.length ?? (await query<{ n: number }>(compileBuiltDays(d, p)))[0]?.n ?? 0;
    const report: RollupReport = {
      mode: reason ? 'full' : 'incremental',
      ids_relinked: identities.changed,
      features_rebuilt: scope.kind === 'all' || featuresChanged,
      days_rebuilt,
      user_days,
      seconds: (performance.now() - started) / 1000,
    };
    if (reason) report.reason = reason;
    else if (featuresChanged) {
      report.reason = 'property features changed: user_day_feature rebuilt for every day';
    }
    return report;
  });
}
