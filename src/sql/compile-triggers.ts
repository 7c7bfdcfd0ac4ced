import type { SqlParams } from '../dialect/sql-value.js';
import { type LifecycleInput, lifecycleCtes } from './compile-lifecycle.js';

/**
 * What playbook triggers (src/playbooks/triggers.ts) are decided by, for one stored snapshot
 * period against the stored period before it: every user with a lifecycle state in the period
 * (the lifecycle's own states, `lifecycleCtes`, not derived again), or with segments in either
 * period. Each row has the user's state now and in the period before ('' for none, and for the
 * period before when that is the baseline), both snapshots (a user absent from one was not
 * active in its window: is_power_user false, score 0 now, previous_score NULL), and the facts the
 * lifecycle's reason sentence is written from. No row when the period is not stored or is the
 * first one stored (nothing before it to compare with).
 */
export function compileTriggerCandidates(
  input: LifecycleInput,
  periodStart: string,
): { sql: string; params: SqlParams } {
  const d = input.dialect;
  // Only the periods this one's states read: not the states of every stored period.
  const { ctes, params } = lifecycleCtes(input, { onlyAt: periodStart });
  const back = Array.from({ length: input.rules.emergingPeriods }, (_, i) => i + 1);
  const key = (t: string) =>
    `${t}.project_id = ${d.param('p', 'String')} AND ${t}.definition = ${d.param('def', 'String')}
    AND ${t}.period = ${d.param('period', 'String')}`;
  return {
    sql: `WITH ${ctes},
  t AS (
    SELECT c.idx AS idx, c.period_start AS period_start, b.period_start AS before_start
    FROM periods c JOIN periods b ON b.idx = c.idx - 1
    WHERE c.period_start = ${d.date(d.param('at', 'Date'))}),
  who AS (
    SELECT DISTINCT user_id FROM (
      SELECT st.user_id AS user_id FROM states st JOIN t ON st.idx = t.idx WHERE st.state <> ''
      UNION ALL
      SELECT g.user_id AS user_id FROM user_snapshots g JOIN t
        ON g.period_start = t.period_start OR g.period_start = t.before_start
      WHERE ${key('g')} AND g.segments <> '') x)
  SELECT w.user_id AS user_id, ${d.dateText('t.period_start')} AS period_start,
    coalesce(sn.state, '') AS state, coalesce(sb.state, '') AS previous_state,
    coalesce(u.account_id, b.account_id, '') AS account_id,
    u.user_id IS NOT NULL AS present, b.user_id IS NOT NULL AS was_present,
    coalesce(u.is_power_user, false) AS is_power_user,
    coalesce(b.is_power_user, false) AS was_power_user,
    coalesce(u.score, 0) AS score, b.score AS previous_score,
    coalesce(u.segments, '') AS segments, coalesce(b.segments, '') AS previous_segments,
    coalesce(u.days_active, 0) AS days_active,
    coalesce(u.days_active_7, 0) AS days_active_7, coalesce(u.events_7, 0) AS events_7,
    coalesce(u.baseline_days_active, 0) AS baseline_days_active,
    coalesce(u.baseline_events, 0) AS baseline_events,
    coalesce(u.baseline_days, 0) AS baseline_days, coalesce(u.attainment, 0) AS attainment,
    ${back.map((k) => `m.att_${k} AS att_${k}`).join(', ')}
  FROM who w CROSS JOIN t
  LEFT JOIN states sn ON sn.idx = t.idx AND sn.user_id = w.user_id
  LEFT JOIN states sb ON sb.idx = t.idx - 1 AND sb.user_id = w.user_id
  LEFT JOIN user_snapshots u ON ${key('u')}
    AND u.period_start = t.period_start AND u.user_id = w.user_id
  LEFT JOIN user_snapshots b ON ${key('b')}
    AND b.period_start = t.before_start AND b.user_id = w.user_id
  LEFT JOIN climb m ON m.idx = t.idx AND m.user_id = w.user_id
  ORDER BY user_id`,
    params: { ...params, at: periodStart },
  };
}
