/** A rule as written (YAML, JSON, the API), before validation turns it into a RuleNode. */
export interface RuleInput {
  id?: string | undefined;
  label?: string | undefined;
  signal?: string | undefined;
  min?: number | undefined;
  max?: number | undefined;
  top_percent?: number | undefined;
  min_share?: number | undefined;
  all?: RuleInput[] | undefined;
  any?: RuleInput[] | undefined;
  at_least?: number | undefined;
  of?: RuleInput[] | undefined;
}

export const THRESHOLD_KEYS = ['min', 'max', 'top_percent', 'min_share'] as const;
export type ThresholdKey = (typeof THRESHOLD_KEYS)[number];
export const GROUP_KEYS = ['all', 'any', 'of'] as const;
