import type { Engine } from '../engines/engine.js';
import type { Segment } from '../model/segments.js';
import { SIGNAL_NAMES } from '../model/signals.js';
import { compileFeatures } from '../sql/compile-features.js';
import {
  compileConcentrationTop,
  compileCurve,
  compileGini,
  compileGroupStats,
  compileL7Curve,
  compileLorenz,
  TOP_SHARES,
} from '../sql/compile-report.js';
import { compileReportTotals, compileScoredCounts } from '../sql/compile-report-totals.js';
import { stageCtes } from '../sql/stage-ctes.js';
import { featureLabel, featureLabels } from './feature-labels.js';
import type {
  Concentration,
  CurvePoint,
  FeatureAdoption,
  Report,
  ReportTotals,
  SegmentCount,
  SignalComparison,
} from './report-types.js';
import { type ScoringScope, signalsInput, windowUsesTables } from './score-users.js';
import type { SegmentMembership } from './segment-users.js';

/** The report's sections, each read from the scoring just done (the temp table `scored`). */

/** The project's totals (the rollup `userDay`, every day) and the window's active and power users. */
export async function reportTotals(
  engine: Engine,
  projectId: string,
  userDay: string,
): Promise<ReportTotals> {
  const d = engine.dialect;
  const totalsQuery = compileReportTotals(d, projectId, userDay);
  const [totals] = await engine.query<{
    events: number;
    users: number;
    accounts: number;
    first_day: string | null;
    last_day: string | null;
  }>(totalsQuery.sql, totalsQuery.params);
  const [active] = await engine.query<{ active: number; power: number }>(compileScoredCounts(d));
  const activeUsers = active?.active ?? 0;
  const powerUsers = active?.power ?? 0;
  return {
    events: totals?.events ?? 0,
    users: totals?.users ?? 0,
    accounts: totals?.accounts ?? 0,
    first_day: totals?.first_day ?? null,
    last_day: totals?.last_day ?? null,
    active_users: activeUsers,
    power_users: powerUsers,
    power_user_share: activeUsers > 0 ? powerUsers / activeUsers : 0,
  };
}

/** The Power User Curves: users by days active in the window (L30) and in the last 7 days (L7). */
export async function curves(
  engine: Engine,
  scope: { projectId: string; asOf: string; windowDays: number },
): Promise<Report['curves']> {
  const d = engine.dialect;
  const l30 = fillCurve(
    await engine.query<CurvePoint>(compileCurve('days_active', d)),
    scope.windowDays,
  );
  // A window of 7 days or more holds everyone active in the last 7; a shorter one does not.
  const l7Rows =
    scope.windowDays >= 7
      ? await engine.query<CurvePoint>(compileCurve('days_active_7', d))
      : await engine.query<CurvePoint>(compileL7Curve(d), { p: scope.projectId, asof: scope.asOf });
  return { l30, l7: fillCurve(l7Rows, 7) };
}

function fillCurve(rows: CurvePoint[], days: number): CurvePoint[] {
  const byDays = new Map(rows.map((r) => [r.days_active, r]));
  return Array.from(
    { length: days },
    (_, i) => byDays.get(i + 1) ?? { days_active: i + 1, users: 0, power_users: 0 },
  );
}

/** How concentrated the key actions are: top shares, the Lorenz curve and the Gini coefficient. */
export async function concentration(engine: Engine): Promise<Concentration> {
  const d = engine.dialect;
  const [top] = await engine.query<Record<string, number>>(compileConcentrationTop(d));
  const lorenz = await engine.query<{ users_percent: number; actions_share: number }>(
    compileLorenz(d),
  );
  const [gini] = await engine.query<{ gini: number }>(compileGini());
  return {
    metric: 'key_actions',
    total: Number(top?.total ?? 0),
    top: TOP_SHARES.map((p) => ({ top_percent: p, share: Number(top?.[`top_${p}`] ?? 0) })),
    lorenz: lorenz.map((l) => ({
      users_percent: Number(l.users_percent),
      actions_share: Number(l.actions_share),
    })),
    gini: Number(gini?.gini ?? 0),
  };
}

/** The median and mean of every signal, for power users and for everyone else. */
export async function powerVsEveryoneElse(engine: Engine): Promise<SignalComparison[]> {
  const rows = await engine.query<Record<string, number | boolean>>(
    compileGroupStats(engine.dialect),
  );
  const power = rows.find((r) => r.is_power_user === true) ?? {};
  const rest = rows.find((r) => r.is_power_user === false) ?? {};
  const v = (row: Record<string, number | boolean>, key: string) => Number(row[key] ?? 0);
  return SIGNAL_NAMES.map((s) => ({
    signal: s,
    power_users_median: v(power, `median_${s}`),
    power_users_mean: v(power, `mean_${s}`),
    everyone_else_median: v(rest, `median_${s}`),
    everyone_else_mean: v(rest, `mean_${s}`),
  }));
}

/**
 * Each feature's users among the power users and among everyone else (`power` and `active` users
 * of the scoring), the features that set power users apart first.
 */
export async function featureAdoption(
  engine: Engine,
  scope: ScoringScope & { windowDays: number },
  power: number,
  active: number,
): Promise<FeatureAdoption[]> {
  const { sql, params } = compileFeatures(
    {
      ...signalsInput(scope, engine.dialect),
      windowDays: scope.windowDays,
      // The uses and the active users of the scoring just done, not a second scan of the rollups.
      reuse: { ...windowUsesTables('scored'), scored: 'scored' },
    },
    true,
  );
  const staged = stageCtes(sql, ['user_feature', 'feature_info'], engine.dialect, 'adoption');
  for (const statement of staged.statements) await engine.run(statement, params);
  const rows = await engine.query<{
    feature: string;
    is_advanced: boolean;
    is_login: boolean;
    users: number;
    power_users: number;
    everyone_else: number;
  }>(staged.sql, params);
  const labels = featureLabels(scope.catalogue);
  const others = active - power;
  return rows
    .map((r) => ({
      feature: r.feature,
      label: featureLabel(r.feature, labels),
      kind: r.is_login
        ? ('login' as const)
        : r.is_advanced
          ? ('advanced' as const)
          : ('core' as const),
      users: r.users,
      power_users: r.power_users,
      everyone_else: r.everyone_else,
      power_users_share: power > 0 ? r.power_users / power : 0,
      everyone_else_share: others > 0 ? r.everyone_else / others : 0,
    }))
    .sort(
      (a, b) =>
        b.power_users_share -
          b.everyone_else_share -
          (a.power_users_share - a.everyone_else_share) || a.feature.localeCompare(b.feature),
    );
}

/** How many power users each segment holds, in the order the segments are configured. */
export function segmentCounts(
  segments: readonly Segment[],
  memberships: ReadonlyMap<string, readonly SegmentMembership[]>,
  powerUsers: number,
): SegmentCount[] {
  return segments.map((s) => {
    let n = 0;
    for (const list of memberships.values()) if (list.some((m) => m.segment === s.name)) n += 1;
    return {
      segment: s.name,
      label: s.label,
      description: s.description,
      power_users: n,
      share_of_power_users: powerUsers > 0 ? n / powerUsers : 0,
    };
  });
}
