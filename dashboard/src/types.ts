/** The shapes the dashboard reads from the API (docs/api.md; the OpenAPI document has them all). */

export interface CurvePoint {
  days_active: number;
  users: number;
  power_users: number;
}

export interface CriterionResult {
  id: string;
  label: string;
  signal: string;
  op: string;
  threshold: number;
  value: number;
  top_percent: number;
  passed: boolean;
  decisive?: boolean;
}

export interface UserResult {
  user_id: string;
  account_id: string;
  score: number;
  is_power_user: boolean;
  reason: string;
  criteria: CriterionResult[];
  signals: Record<string, number>;
  segments: { segment: string; label: string; reason: string }[];
}

export interface Report {
  as_of: string;
  window_days: number;
  definition: { name: string };
  totals: {
    active_users: number;
    power_users: number;
    power_user_share: number;
    events: number;
    users: number;
    accounts: number;
  };
  curves: { l30: CurvePoint[]; l7: CurvePoint[] };
  concentration: {
    top: { top_percent: number; share: number }[];
    lorenz: { users_percent: number; actions_share: number }[];
    gini: number;
  };
  segments: { segment: string; label: string; power_users: number; share_of_power_users: number }[];
  top_power_users: UserResult[];
}

export interface LifecycleReport {
  periods: {
    period_start: string;
    baseline: boolean;
    active_users: number;
    power_users: number;
    power_user_share: number;
    states: Record<string, number>;
  }[];
  flows: { period_start: string; from: string; to: string; users: number }[];
}

export interface Account {
  account_id: string;
  users: number;
  active_users: number;
  power_users: number;
  power_user_share: number;
  catalogue_coverage: number;
  curve: CurvePoint[];
  signals: { signal: string; kind: 'risk' | 'chance'; explanation: string }[];
}

export interface DefinitionSummary {
  name: string;
  description: string | null;
  kind: 'rule' | 'score';
  window_days: number;
  text: string;
  is_default: boolean;
}

export interface RuleInput {
  id?: string;
  label?: string;
  signal?: string;
  min?: number;
  max?: number;
  top_percent?: number;
  min_share?: number;
  all?: RuleInput[];
  any?: RuleInput[];
  at_least?: number;
  of?: RuleInput[];
}
