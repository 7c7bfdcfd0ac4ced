import type { Engine } from '../engines/engine.js';
import type { Catalogue } from '../model/catalogue.js';
import type { Definition } from '../model/definition.js';
import type { Segment } from '../model/segments.js';
import { SIGNAL_NAMES, type SignalName } from '../model/signals.js';
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
import { ROLLUP_SOURCES, type SignalSources } from '../sql/compile-signals.js';
import { stageCtes } from '../sql/stage-ctes.js';
import { featureLabel } from './explain.js';
import {
  featureLabels,
  readScoredUsers,
  scoreInto,
  signalsInput,
  type UserResult,
  windowUsesTables,
} from './score-users.js';
import { type SegmentMembership, segmentMemberships } from './segment-users.js';
import { compareScorings, type WhatIf } from './what-if.js';

export interface AnalyzeOptions {
  projectId: string;
  definition: Definition;
  /** The last day of the window, resolved where the request entered (resolveAsOf). */
  asOf: string;
  catalogue?: Catalogue | undefined;
  top?: number | undefined;
  /** With a what-if: the definition before the change, to count who enters and who leaves. */
  baseline?: Definition | undefined;
  /** Raw-event sources instead of the rollups (benchmark baseline only; never user input). */
  sources?: SignalSources | undefined;
  /** The segments power users are placed in (resolveSegments of the config). */
  segments?: readonly Segment[] | undefined;
}

export interface SegmentCount {
  segment: string;
  label: string;
  description: string;
  power_users: number;
  /** Share of the power users in the segment (a user may be in several, or none). */
  share_of_power_users: number;
}

export interface CurvePoint {
  days_active: number;
  users: number;
  power_users: number;
}

export interface SignalComparison {
  signal: SignalName;
  power_users_median: number;
  power_users_mean: number;
  everyone_else_median: number;
  everyone_else_mean: number;
}

export interface FeatureAdoption {
  feature: string;
  label: string;
  kind: 'core' | 'advanced' | 'login';
  users: number;
  power_users: number;
  everyone_else: number;
  /** Share of power users (of everyone else) who used the feature in the window. */
  power_users_share: number;
  everyone_else_share: number;
}

export interface Concentration {
  metric: 'key_actions';
  total: number;
  top: { top_percent: number; share: number }[];
  lorenz: { users_percent: number; actions_share: number }[];
  gini: number;
}

export interface Report {
  project_id: string;
  as_of: string;
  window_days: number;
  definition: Definition;
  totals: {
    /** All stored events of the project, every day (the other counts are for the window). */
    events: number;
    users: number;
    accounts: number;
    /** First and last local day with data, so an empty window can say where the data is. */
    first_day: string | null;
    last_day: string | null;
    active_users: number;
    power_users: number;
    power_user_share: number;
  };
  curves: { l30: CurvePoint[]; l7: CurvePoint[] };
  concentration: Concentration;
  power_vs_everyone_else: SignalComparison[];
  feature_adoption: FeatureAdoption[];
  top_power_users: UserResult[];
  segments: SegmentCount[];
  what_if?: WhatIf;
}

// Until their importers (src/lifecycle, src/accounts, src/cli/context.ts, src/server/api) import
// them from their own files.
export { AnalysisError } from './analysis-error.js';
export { dataRange, lastDataDay, NoDataError, resolveAsOf } from './resolve-as-of.js';

/** How many power users each segment holds, in the order the segments are configured. */
function segmentCounts(
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

function fillCurve(rows: CurvePoint[], days: number): CurvePoint[] {
  const byDays = new Map(rows.map((r) => [r.days_active, r]));
  return Array.from(
    { length: days },
    (_, i) => byDays.get(i + 1) ?? { days_active: i + 1, users: 0, power_users: 0 },
  );
}

async function concentration(engine: Engine): Promise<Concentration> {
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

async function powerVsEveryoneElse(engine: Engine): Promise<SignalComparison[]> {
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

async function featureAdoption(
  engine: Engine,
  options: AnalyzeOptions,
  asOf: string,
  power: number,
  active: number,
): Promise<FeatureAdoption[]> {
  const { sql, params } = compileFeatures(
    {
      ...signalsInput(
        {
          projectId: options.projectId,
          asOf,
          catalogue: options.catalogue,
          sources: options.sources,
        },
        engine.dialect,
      ),
      windowDays: options.definition.window_days,
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
  const labels = featureLabels(options.catalogue);
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

export async function runAnalysis(engine: Engine, options: AnalyzeOptions): Promise<Report> {
  const p = options.projectId;
  const { definition } = options;
  const d = engine.dialect;
  const { asOf } = options;
  const scope = { projectId: p, asOf, catalogue: options.catalogue, sources: options.sources };
  const userDay = (options.sources ?? ROLLUP_SOURCES).userDay;
  let whatIf: WhatIf | undefined;
  if (options.baseline) {
    await scoreInto(engine, options.baseline, scope, 'scored_baseline');
  }
  await scoreInto(engine, definition, scope);
  if (options.baseline) whatIf = await compareScorings(engine, 'scored_baseline', 'scored');

  // The rollups are current, as the callers make them.
  const totalsQuery = compileReportTotals(d, p, userDay);
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
  const l30 = fillCurve(
    await engine.query<CurvePoint>(compileCurve('days_active', d)),
    definition.window_days,
  );
  // A window of 7 days or more holds everyone active in the last 7; a shorter one does not.
  const l7Rows =
    definition.window_days >= 7
      ? await engine.query<CurvePoint>(compileCurve('days_active_7', d))
      : await engine.query<CurvePoint>(compileL7Curve(d), { p, asof: asOf });
  const l7 = fillCurve(l7Rows, 7);
  const memberships = await segmentMemberships(
    engine,
    options.segments ?? [],
    definition.window_days,
  );
  const report: Report = {
    project_id: p,
    as_of: asOf,
    window_days: definition.window_days,
    definition,
    totals: {
      events: totals?.events ?? 0,
      users: totals?.users ?? 0,
      accounts: totals?.accounts ?? 0,
      first_day: totals?.first_day ?? null,
      last_day: totals?.last_day ?? null,
      active_users: activeUsers,
      power_users: powerUsers,
      power_user_share: activeUsers > 0 ? powerUsers / activeUsers : 0,
    },
    curves: { l30, l7 },
    concentration: await concentration(engine),
    power_vs_everyone_else: await powerVsEveryoneElse(engine),
    feature_adoption: await featureAdoption(engine, options, asOf, powerUsers, activeUsers),
    top_power_users: await readScoredUsers(engine, definition, {
      powerOnly: true,
      limit: options.top ?? 10,
      labels: featureLabels(options.catalogue),
      memberships,
    }),
    segments: segmentCounts(options.segments ?? [], memberships, powerUsers),
  };
  if (whatIf) report.what_if = whatIf;
  return report;
}
