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
  /** From identify and group calls, each when known (docs/events.md, "Traits"). */
  email?: string;
  name?: string;
  account_name?: string;
  plan?: string;
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
  /** From the account's group calls, each when known. */
  name?: string;
  plan?: string;
  seats?: number;
  mrr?: number;
  csm?: string;
  users: number;
  active_users: number;
  power_users: number;
  power_user_share: number;
  /** Power users per seat, when the seats are known. */
  power_user_seat_share?: number;
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

export type PeriodKind = 'day' | 'week' | 'month';

export interface FailedEvent {
  failed_id: string;
  source: string;
  source_line: number | null;
  reason: string;
  raw: string | null;
  raw_truncated: boolean;
  failed_at: string;
  resolved_at: string | null;
}

export interface FailedEventsPage {
  total: number;
  limit: number;
  offset: number;
  by_reason: { reason: string; count: number }[];
  events: FailedEvent[];
}

export interface SnapshotStatus {
  definition: string;
  period: PeriodKind;
  first_day: string | null;
  last_day: string | null;
  stored_periods: number;
  first_period_start: string | null;
  last_period_start: string | null;
  last_as_of: string | null;
  max_periods: number;
}

export interface SnapshotRun {
  definition: string;
  period: PeriodKind;
  periods: { period_start: string; as_of: string; users: number; power_users: number }[];
}
