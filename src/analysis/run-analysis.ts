import type { Engine } from '../engines/engine.js';
import type { Catalogue } from '../model/catalogue.js';
import type { Definition } from '../model/definition.js';
import type { Segment } from '../model/segments.js';
import { ROLLUP_SOURCES, type SignalSources } from '../sql/compile-signals.js';
import { featureLabels } from './feature-labels.js';
import {
  concentration,
  curves,
  featureAdoption,
  powerVsEveryoneElse,
  reportTotals,
  segmentCounts,
} from './report-sections.js';
import type { Report } from './report-types.js';
import { readScoredUsers, scoreInto } from './score-users.js';
import { segmentMemberships } from './segment-users.js';
import { verdictWarnings } from './verdict-warnings.js';
import { compareScorings } from './what-if.js';

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

/**
 * The power-user report: scores the window (and the baseline of a what-if), then reads each
 * section from that scoring.
 */
export async function runAnalysis(engine: Engine, options: AnalyzeOptions): Promise<Report> {
  const { projectId, definition, asOf } = options;
  const windowDays = definition.window_days;
  const scope = { projectId, asOf, catalogue: options.catalogue, sources: options.sources };
  if (options.baseline) await scoreInto(engine, options.baseline, scope, 'scored_baseline');
  await scoreInto(engine, definition, scope);
  const whatIf = options.baseline
    ? await compareScorings(engine, 'scored_baseline', 'scored')
    : undefined;
  // The rollups are current, as the callers make them.
  const totals = await reportTotals(engine, projectId, (options.sources ?? ROLLUP_SOURCES).userDay);
  const reportCurves = await curves(engine, { projectId, asOf, windowDays });
  const segments = options.segments ?? [];
  const memberships = await segmentMemberships(engine, segments, windowDays);
  const { history, warnings } = await verdictWarnings(engine, projectId, definition, asOf);
  const report: Report = {
    project_id: projectId,
    as_of: asOf,
    window_days: windowDays,
    definition,
    history,
    warnings,
    totals,
    curves: reportCurves,
    concentration: await concentration(engine),
    power_vs_everyone_else: await powerVsEveryoneElse(engine),
    feature_adoption: await featureAdoption(
      engine,
      { ...scope, windowDays },
      totals.power_users,
      totals.active_users,
    ),
    top_power_users: await readScoredUsers(engine, definition, {
      powerOnly: true,
      limit: options.top ?? 10,
      labels: featureLabels(options.catalogue),
      memberships,
    }),
    segments: segmentCounts(segments, memberships.memberships, totals.power_users),
  };
  if (whatIf) report.what_if = whatIf;
  return report;
}
