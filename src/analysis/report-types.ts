import type { Definition } from '../model/definition.js';
import type { DefinitionWarning } from '../model/definition-problems.js';
import type { SignalName } from '../model/signals.js';
import type { UserResult } from './score-users.js';
import type { DataHistory } from './verdict-warnings.js';
import type { WhatIf } from './what-if.js';

/** The power-user report and its sections, as runAnalysis returns them. */

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

// A type, not an interface: the API's answer schema takes it as a plain record.
export type ReportTotals = {
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

/** The power-user report (runAnalysis): what `analyze` prints and GET /api/v1/report answers. */
export interface Report {
  project_id: string;
  as_of: string;
  window_days: number;
  definition: Definition;
  /** The data the report is computed from, up to the as-of date. */
  history: DataHistory;
  /** What its verdicts cannot be trusted for: the single-metric trap, a history too short. */
  warnings: DefinitionWarning[];
  totals: ReportTotals;
  curves: { l30: CurvePoint[]; l7: CurvePoint[] };
  concentration: Concentration;
  power_vs_everyone_else: SignalComparison[];
  feature_adoption: FeatureAdoption[];
  top_power_users: UserResult[];
  segments: SegmentCount[];
  what_if?: WhatIf;
}
