import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';
import type { LifecycleRules } from '../model/lifecycle-config.js';

export const LIFECYCLE_STATES = [
  'new',
  'retained',
  'resurrected',
  'at_risk',
  'lost',
  'emerging',
] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

export interface LifecycleInput {
  projectId: string;
  definition: string;
  period: string;
  rules: LifecycleRules;
  dialect: Dialect;
}

/**
 * The stored snapshots of one definition and period kind (parameters p, def, period): `periods`
 * numbers them in order (idx, from 1), `si` is each user's row with its `columns` and idx.
 */
export function snapshotPeriodCtes(
  d: Dialect,
  columns: readonly string[],
  only?: { before: number },
): string {
  // `only`: the rows of the period starting on parameter `at` and the `before` periods before
  // it, numbered as among all periods (what reads one period's states needs, not the history).
  const within = only
    ? `
    WHERE p.idx BETWEEN (SELECT idx FROM periods WHERE period_start = ${d.date(d.param('at', 'Date'))}) - ${only.before}
      AND (SELECT idx FROM periods WHERE period_start = ${d.date(d.param('at', 'Date'))})`
    : '';
  return `s AS (
    SELECT period_start, user_id, ${columns.join(', ')} FROM user_snapshots
    WHERE project_id = ${d.param('p', 'String')} AND definition = ${d.param('def', 'String')}
      AND period = ${d.param('period', 'String')}),
  periods AS (
    SELECT period_start, CAST(row_number() OVER (ORDER BY period_start) AS BIGINT) AS idx
    FROM (SELECT DISTINCT period_start FROM s) x),
  si AS (
    SELECT s.period_start AS period_start, s.user_id AS user_id,
      ${columns.map((c) => `s.${c} AS ${c}`).join(', ')}, p.idx AS idx
    FROM s JOIN periods p ON p.period_start = s.period_start${within})`;
}

/**
 * The days of baseline a user needs for at risk: with less (a user seen for under two weeks
 * before the last 7 days) there is no usual week to fall from.
 */
export const MIN_BASELINE_DAYS = 14;

/** The snapshot columns the states are decided by. */
const STATE_COLUMNS = [
  'is_power_user',
  'score',
  'trend',
  'attainment',
  'first_seen',
  'window_start',
  'events_7',
  'baseline_events',
  'baseline_days',
];

/**
 * Each user's lifecycle state per stored snapshot period (src/lifecycle/run-snapshots.ts), against
 * the period before: new (a power user for the first time in the stored history), retained,
 * resurrected (again, after a gap), at risk (a power user now, new, retained or back, whose
 * events of the last 7 days fell to a fraction of their own usual week: an early warning, before
 * frequency fails), lost (a power
 * user last period, not now), emerging (not yet, but climbing toward the definition: attainment
 * up in each of the last few periods, by enough in all, and near the bar). A user absent from a
 * period's snapshot was not active in its window. The first stored period has no period before
 * it: it is the baseline, and gets no states (docs/lifecycle.md).
 * The result is the CTEs `periods` (period_start, idx), `windows` (idx, window_start), `climb`
 * (idx, user_id, att_1 .. att_N: the attainment 1 .. N periods before) and `states` (idx,
 * user_id, state).
 */
export function lifecycleCtes(
  input: LifecycleInput,
  options: { onlyAt?: string } = {},
): { ctes: string; params: SqlParams } {
  const d = input.dialect;
  const r = input.rules;
  const n = r.emergingPeriods;
  const back = Array.from({ length: n }, (_, i) => i + 1);
  // Only the states of the period starting `onlyAt` and the one before are right then: they read
  // the n periods before each (the climb) and the period before that (the pair); the first
  // period a user was a power user (new against resurrected) is still read from every period.
  const only = options.onlyAt !== undefined;
  const firstPower = only
    ? `first_power AS (SELECT s.user_id AS user_id, min(p.idx) AS first_idx
    FROM s JOIN periods p ON p.period_start = s.period_start WHERE s.is_power_user
    GROUP BY s.user_id)`
    : 'first_power AS (SELECT user_id, min(idx) AS first_idx FROM si WHERE is_power_user GROUP BY user_id)';
  // Rising in each period: now above 1 period before, 1 above 2, ..., n-1 above n.
  const rising = ['c.attainment', ...back.map((k) => `m.att_${k}`)]
    .slice(0, n)
    .map((a, i) => `${a} > m.att_${i + 1}`)
    .join(' AND ');
  const ctes = `${snapshotPeriodCtes(d, STATE_COLUMNS, only ? { before: n + 1 } : undefined)},
  ${firstPower},
  windows AS (SELECT idx, min(window_start) AS window_start FROM si GROUP BY idx),
  -- The attainment of each user 1 .. n periods before (0 when not active in that window; NULL
  -- in a row stored before attainment was), where the stored history reaches n periods back;
  -- and the first day of that oldest window.
  climb AS (
    SELECT c.idx AS idx, c.user_id AS user_id,
      ${back.map((k) => `CASE WHEN b${k}.user_id IS NULL THEN 0.0 ELSE b${k}.attainment END AS att_${k}`).join(', ')},
      w.window_start AS climb_from
    FROM si c JOIN windows w ON w.idx = c.idx - ${n}
    ${back.map((k) => `LEFT JOIN si b${k} ON b${k}.user_id = c.user_id AND b${k}.idx = c.idx - ${k}`).join('\n    ')}),
  -- Each user now, with the period before; and the power users of the period before who are
  -- absent now (not active in the window any more). dropped: the last 7 days' events at most
  -- the kept share of the user's usual week. climbing: near the bar, up in each of the last n
  -- periods and by enough in all, and seen since before the oldest of those windows began (so
  -- the climb is theirs, not their window filling up).
  pairs AS (
    SELECT c.idx AS idx, c.user_id AS user_id, c.is_power_user AS now_power,
      coalesce(b.is_power_user, false) AS was_power, true AS present,
      CASE WHEN c.baseline_days >= ${MIN_BASELINE_DAYS}
        AND c.events_7 * c.baseline_days <= ${d.param('keep', 'Float64')} * 7 * c.baseline_events
        THEN 1 ELSE 0 END AS dropped,
      CASE WHEN NOT c.is_power_user AND c.attainment >= ${d.param('min_att', 'Float64')}
        AND c.attainment - m.att_${n} >= ${d.param('min_rise', 'Float64')} AND ${rising}
        AND c.first_seen <= m.climb_from
        THEN 1 ELSE 0 END AS climbing
    FROM si c LEFT JOIN si b ON b.user_id = c.user_id AND b.idx = c.idx - 1
    LEFT JOIN climb m ON m.user_id = c.user_id AND m.idx = c.idx
    WHERE c.idx > 1
    UNION ALL
    SELECT b.idx + 1 AS idx, b.user_id AS user_id, false AS now_power, true AS was_power,
      false AS present, 0 AS dropped, 0 AS climbing
    FROM si b LEFT JOIN si c ON c.user_id = b.user_id AND c.idx = b.idx + 1
    WHERE b.is_power_user AND c.user_id IS NULL
      AND b.idx < (SELECT max(idx) FROM periods)),
  states AS (
    SELECT q.idx AS idx, q.user_id AS user_id, CASE
        WHEN q.now_power AND q.dropped = 1 THEN 'at_risk'
        WHEN q.now_power AND q.was_power THEN 'retained'
        WHEN q.now_power AND f.first_idx = q.idx THEN 'new'
        WHEN q.now_power THEN 'resurrected'
        WHEN q.was_power THEN 'lost'
        WHEN q.present AND q.climbing = 1 THEN 'emerging'
        ELSE '' END AS state
    FROM pairs q LEFT JOIN first_power f ON f.user_id = q.user_id)`;
  return {
    ctes,
    params: {
      p: input.projectId,
      def: input.definition,
      period: input.period,
      keep: 1 - r.atRiskDropPercent / 100,
      min_att: r.emergingMinAttainment / 100,
      min_rise: r.emergingMinRise / 100,
      ...(only ? { at: options.onlyAt } : {}),
    },
  };
}

/** Users per period and state (periods after the baseline), with the power users and share. */
export function compileLifecycleCounts(input: LifecycleInput): { sql: string; params: SqlParams } {
  const d = input.dialect;
  const { ctes, params } = lifecycleCtes(input);
  return {
    sql: `WITH ${ctes},
  totals AS (
    SELECT idx, count(*) AS active_users, ${d.countIf('is_power_user')} AS power_users
    FROM si GROUP BY idx)
  SELECT ${d.dateText('p.period_start')} AS period_start, t.active_users AS active_users,
    t.power_users AS power_users, ${d.dateText('w.window_start')} AS window_start,
    st.state AS state, st.n AS users
  FROM periods p JOIN totals t ON t.idx = p.idx JOIN windows w ON w.idx = p.idx
  LEFT JOIN (SELECT idx, state, count(*) AS n FROM states WHERE state <> '' GROUP BY idx, state) st
    ON st.idx = p.idx
  ORDER BY period_start, state`,
    params,
  };
}

/** Users moving from one state to another between consecutive periods ('' = none). */
export function compileLifecycleFlows(input: LifecycleInput): { sql: string; params: SqlParams } {
  const d = input.dialect;
  const { ctes, params } = lifecycleCtes(input);
  return {
    sql: `WITH ${ctes},
  both_sides AS (
    SELECT idx, user_id, state AS to_state, '' AS from_state FROM states WHERE state <> ''
    UNION ALL
    SELECT b.idx + 1 AS idx, b.user_id AS user_id, '' AS to_state, b.state AS from_state
    FROM states b WHERE b.state <> '' AND b.idx < (SELECT max(idx) FROM periods)),
  moves AS (
    SELECT idx, user_id, max(to_state) AS to_state, max(from_state) AS from_state
    FROM both_sides GROUP BY idx, user_id)
  SELECT ${d.dateText('p.period_start')} AS period_start, m.from_state AS from_state,
    m.to_state AS to_state, count(*) AS users
  FROM moves m JOIN periods p ON p.idx = m.idx
  WHERE m.idx > 2
  GROUP BY p.period_start, m.from_state, m.to_state
  ORDER BY period_start, from_state, to_state`,
    params,
  };
}

/**
 * The people in one state in one period, with their snapshot, the period before's score and
 * attainment, and what at risk and emerging are decided by (the last 7 days against the usual
 * week; the attainment of the periods before, `att_1` the one before, NULL without that history).
 */
export function compileLifecyclePeople(
  input: LifecycleInput,
  state: LifecycleState,
  periodStart: string,
): { sql: string; params: SqlParams } {
  const d = input.dialect;
  const { ctes, params } = lifecycleCtes(input);
  const back = Array.from({ length: input.rules.emergingPeriods }, (_, i) => i + 1);
  return {
    sql: `WITH ${ctes}
  SELECT st.user_id AS user_id, ${d.dateText('p.period_start')} AS period_start,
    st.state AS state, coalesce(u.account_id, b.account_id, '') AS account_id,
    coalesce(u.score, 0) AS score, coalesce(u.is_power_user, false) AS is_power_user,
    u.trend AS trend, coalesce(u.days_active, 0) AS days_active,
    coalesce(b.score, 0) AS previous_score, coalesce(u.segments, b.segments, '') AS segments,
    coalesce(u.days_active_7, 0) AS days_active_7, coalesce(u.events_7, 0) AS events_7,
    coalesce(u.baseline_days_active, 0) AS baseline_days_active,
    coalesce(u.baseline_events, 0) AS baseline_events,
    coalesce(u.baseline_days, 0) AS baseline_days, coalesce(u.attainment, 0) AS attainment,
    ${back.map((k) => `m.att_${k} AS att_${k}`).join(', ')}
  FROM states st JOIN periods p ON p.idx = st.idx
  LEFT JOIN periods pb ON pb.idx = st.idx - 1
  LEFT JOIN user_snapshots u ON u.project_id = ${d.param('p', 'String')}
    AND u.definition = ${d.param('def', 'String')} AND u.period = ${d.param('period', 'String')}
    AND u.period_start = p.period_start AND u.user_id = st.user_id
  LEFT JOIN user_snapshots b ON b.project_id = ${d.param('p', 'String')}
    AND b.definition = ${d.param('def', 'String')} AND b.period = ${d.param('period', 'String')}
    AND b.period_start = pb.period_start AND b.user_id = st.user_id
  LEFT JOIN climb m ON m.idx = st.idx AND m.user_id = st.user_id
  WHERE st.state = ${d.param('state', 'String')}
    AND p.period_start = ${d.date(d.param('at', 'Date'))}
  ORDER BY score DESC, user_id`,
    params: { ...params, state, at: periodStart },
  };
}

/**
 * Retention of power users against everyone else: of the users active in a period (power users
 * or not then), the share still active k periods later, pooled over every starting period that
 * has k periods after it.
 */
export function compileRetention(input: LifecycleInput): { sql: string; params: SqlParams } {
  const { ctes, params } = lifecycleCtes(input);
  return {
    sql: `WITH ${ctes},
  sizes AS (SELECT idx AS s, is_power_user AS power, count(*) AS size FROM si GROUP BY idx, is_power_user),
  offsets AS (SELECT idx - 1 AS k FROM periods),
  eligible AS (
    SELECT z.power AS power, o.k AS k, sum(z.size) AS cohort
    FROM sizes z CROSS JOIN offsets o
    WHERE z.s + o.k <= (SELECT max(idx) FROM periods)
    GROUP BY z.power, o.k),
  kept AS (
    SELECT st.is_power_user AS power, l.idx - st.idx AS k, count(*) AS retained
    FROM si st JOIN si l ON l.user_id = st.user_id
    WHERE l.idx >= st.idx
    GROUP BY st.is_power_user, l.idx - st.idx)
  SELECT e.power AS power_users, e.k AS periods_later, e.cohort AS cohort,
    coalesce(k.retained, 0) AS retained
  FROM eligible e LEFT JOIN kept k ON k.power = e.power AND k.k = e.k
  ORDER BY power_users DESC, periods_later`,
    params,
  };
}
