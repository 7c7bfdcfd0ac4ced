/**
 * The power-user definition used until definitions become configuration (see docs/definition.md).
 * It follows the DOMAIN.md defaults and combines several signals, never one: frequency and breadth
 * are required (a daily user doing one trivial thing is not a power user), plus at least one of
 * depth, collaboration or consistency.
 */
export const SIGNAL_NAMES = [
  'days_active',
  'days_active_7',
  'active_weeks',
  'sessions',
  'active_seconds',
  'events',
  'actions',
  'core_features',
  'advanced_features',
  'collaboration',
  'feedback',
] as const;

export type SignalName = (typeof SIGNAL_NAMES)[number];

export interface Condition {
  signal: SignalName;
  /** Absolute threshold: value >= min. */
  min?: number;
  /** Relative threshold: among the top X% of active users (ties at the edge are left out). */
  top_percent?: number;
}

export interface Criterion {
  id: string;
  label: string;
  /** Passes when any condition holds (one condition is the common case). */
  any: Condition[];
  required: boolean;
}

export interface Definition {
  name: string;
  window_days: number;
  criteria: Criterion[];
  /** How many of the optional criteria must pass on top of every required one. */
  min_optional: number;
}

export function defaultDefinition(windowDays = 30): Definition {
  return {
    name: 'default',
    window_days: windowDays,
    min_optional: 1,
    criteria: [
      {
        id: 'frequency',
        label: 'active on at least two thirds of the days',
        any: [{ signal: 'days_active', min: Math.ceil((windowDays * 2) / 3) }],
        required: true,
      },
      {
        id: 'breadth',
        label: 'uses 5+ core or 2+ advanced features',
        any: [
          { signal: 'core_features', min: 5 },
          { signal: 'advanced_features', min: 2 },
        ],
        required: true,
      },
      {
        id: 'depth',
        label: 'actions in the top 20% of active users',
        any: [{ signal: 'actions', top_percent: 20 }],
        required: false,
      },
      {
        id: 'collaboration',
        label: 'invited or shared 3+ times',
        any: [{ signal: 'collaboration', min: 3 }],
        required: false,
      },
      {
        id: 'consistency',
        label: 'active in 10+ of the last 13 weeks',
        any: [{ signal: 'active_weeks', min: 10 }],
        required: false,
      },
    ],
  };
}
