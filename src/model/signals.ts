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

/** The signals that may have no value for a user (SignalInfo.nullable). */
export type NullableSignal = 'trend';

/** Every signal's value for one user; a nullable one is null when it has none. */
export type SignalValues = { [S in SignalName]: S extends NullableSignal ? number | null : number };

export interface SignalInfo {
  description: string;
  /**
   * What it measures: `frequency`, how often and how much someone shows up (days, weeks,
   * sessions, time, raw event counts), or `depth`, what they do (features, key actions,
   * collaboration, feedback). A heavy-but-shallow user (daily, one trivial thing) is high on
   * frequency and low on depth; a power user is high on both.
   */
  aspect: 'frequency' | 'depth';
  /** Lower is better (recency): percentiles and composite scores rank it the other way. */
  lowerIsBetter?: boolean;
  /** The signal has no value for some users (null): the trend of a user with no earlier window. */
  nullable?: boolean;
  /** The largest value the signal can take in a window of `windowDays`, when bounded. */
  maxFor?: (windowDays: number) => number;
}

export const SIGNALS: Record<SignalName, SignalInfo> = {
  days_active: {
    description: 'distinct active days in the window (L30)',
    aspect: 'frequency',
    maxFor: (w) => w,
  },
  days_active_7: {
    description: 'distinct active days in the last 7 days (L7)',
    aspect: 'frequency',
    maxFor: () => 7,
  },
  active_weeks: {
    description: 'of the 13 seven-day periods ending on the as-of date, how many had activity',
    aspect: 'frequency',
    maxFor: () => 13,
  },
  sessions: {
    description: 'sessions in the window (30-minute inactivity gap by default)',
    aspect: 'frequency',
  },
  session_seconds_mean: { description: 'mean session length in seconds', aspect: 'frequency' },
  session_seconds_median: { description: 'median session length in seconds', aspect: 'frequency' },
  active_seconds: {
    description: 'seconds between events of the same session, summed',
    aspect: 'frequency',
  },
  events: { description: 'all events in the window', aspect: 'frequency' },
  actions: { description: 'events that are not login-like', aspect: 'frequency' },
  logins: {
    description: 'login-like events (logins, app opens, page views)',
    aspect: 'frequency',
  },
  features: { description: 'distinct features used (login-like ones left out)', aspect: 'depth' },
  core_features: { description: 'distinct core features used', aspect: 'depth' },
  advanced_features: { description: 'distinct advanced features used', aspect: 'depth' },
  catalogue_coverage: {
    description: 'share of the catalogue’s features used, in percent',
    aspect: 'depth',
    maxFor: () => 100,
  },
  key_actions: {
    description: 'uses of key_action features (every action when no feature is tagged key_action)',
    aspect: 'depth',
  },
  collaboration: {
    description: 'uses of collaboration features (invites, shares)',
    aspect: 'depth',
  },
  feedback: {
    description: 'uses of feedback features (feature requests, bug reports)',
    aspect: 'depth',
  },
  optimization: {
    description: 'uses of optimization features (workflows, templates, automations, integrations)',
    aspect: 'depth',
  },
  optimization_depth: {
    description:
      'share of the catalogue’s optimization features used at least once a week on average, in percent',
    aspect: 'depth',
    maxFor: () => 100,
  },
  tenure_days: {
    description: 'days from the first day seen to the as-of date',
    aspect: 'frequency',
  },
  days_since_last_seen: {
    description: 'days from the last active day to the as-of date',
    aspect: 'frequency',
    lowerIsBetter: true,
    maxFor: (w) => w - 1,
  },
  early_adoptions: {
    description:
      'features first used within early_adoption_days of their release date (configured, or the first day of a feature new in the data)',
    aspect: 'depth',
  },
  trend: {
    description:
      'change of events against the previous window of the same length, in percent (null, n/a, when the previous window had none)',
    aspect: 'frequency',
    nullable: true,
  },
};
