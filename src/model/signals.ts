/**
 * Every per-user signal a definition can use. The names are a public contract (config files,
 * `--set`, JSON and CSV columns); the SQL that computes them lives in src/sql/compile-signals.ts.
 */
export const SIGNAL_NAMES = [
  'days_active',
  'days_active_7',
  'active_weeks',
  'sessions',
  'session_seconds_mean',
  'session_seconds_median',
  'active_seconds',
  'events',
  'actions',
  'logins',
  'features',
  'core_features',
  'advanced_features',
  'catalogue_coverage',
  'key_actions',
  'collaboration',
  'feedback',
  'optimization',
  'optimization_depth',
  'tenure_days',
  'days_since_last_seen',
  'early_adoptions',
  'trend',
] as const;

export type SignalName = (typeof SIGNAL_NAMES)[number];

export interface SignalInfo {
  description: string;
  /** Lower is better (recency): percentiles and composite scores rank it the other way. */
  lowerIsBetter?: boolean;
  /** The largest value the signal can take in a window of `windowDays`, when bounded. */
  maxFor?: (windowDays: number) => number;
}

export const SIGNALS: Record<SignalName, SignalInfo> = {
  days_active: { description: 'distinct active days in the window (L30)', maxFor: (w) => w },
  days_active_7: { description: 'distinct active days in the last 7 days (L7)', maxFor: () => 7 },
  active_weeks: {
    description: 'of the 13 seven-day periods ending on the as-of date, how many had activity',
    maxFor: () => 13,
  },
  sessions: { description: 'sessions in the window (30-minute inactivity gap by default)' },
  session_seconds_mean: { description: 'mean session length in seconds' },
  session_seconds_median: { description: 'median session length in seconds' },
  active_seconds: { description: 'seconds between events of the same session, summed' },
  events: { description: 'all events in the window' },
  actions: { description: 'events that are not login-like' },
  logins: { description: 'login-like events (logins, app opens, page views)' },
  features: { description: 'distinct features used (login-like ones left out)' },
  core_features: { description: 'distinct core features used' },
  advanced_features: { description: 'distinct advanced features used' },
  catalogue_coverage: {
    description: 'share of the catalogue’s features used, in percent',
    maxFor: () => 100,
  },
  key_actions: {
    description: 'uses of key_action features (every action when no feature is tagged key_action)',
  },
  collaboration: { description: 'uses of collaboration features (invites, shares)' },
  feedback: { description: 'uses of feedback features (feature requests, bug reports)' },
  optimization: {
    description: 'uses of optimization features (workflows, templates, automations, integrations)',
  },
  optimization_depth: {
    description:
      'share of the catalogue’s optimization features used at least once a week on average, in percent',
    maxFor: () => 100,
  },
  tenure_days: { description: 'days from the first day seen to the as-of date' },
  days_since_last_seen: {
    description: 'days from the last active day to the as-of date',
    lowerIsBetter: true,
    maxFor: (w) => w - 1,
  },
  early_adoptions: {
    description:
      'features first used within early_adoption_days of their release date (configured, or the first day of a feature new in the data)',
  },
  trend: {
    description:
      'change of events against the previous window of the same length, in percent (+100 when the previous window had none)',
  },
};
