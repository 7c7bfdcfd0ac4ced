import type { Engine } from '../engines/engine.js';

export interface WhatIf {
  before: { power_users: number; power_user_share: number };
  after: { power_users: number; power_user_share: number };
  entering: number;
  leaving: number;
  /** Up to 20 of each, best score first (entering) or highest former score first (leaving). */
  entering_users: string[];
  leaving_users: string[];
}

/**
 * Who enters and who leaves the power users between two scorings. The scorings may cover
 * different users (a what-if on window_days changes who is active): a power user missing from
 * the other scoring enters or leaves like any other, and each share is of its own active users.
 */
export async function compareScorings(
  engine: Engine,
  before: string,
  after: string,
): Promise<WhatIf> {
  const d = engine.dialect;
  const joined = `(SELECT coalesce(a.user_id, b.user_id) AS user_id,
       b.user_id IS NOT NULL AS in_before, a.user_id IS NOT NULL AS in_after,
       coalesce(b.is_power_user, false) AS was_power, coalesce(a.is_power_user, false) AS is_power,
       b.score AS before_score, a.score AS after_score
     FROM ${before} b FULL OUTER JOIN ${after} a ON a.user_id = b.user_id)`;
  const [counts] = await engine.query<{
    before_active: number;
    after_active: number;
    before_power: number;
    after_power: number;
    entering: number;
    leaving: number;
  }>(
    `SELECT ${d.countIf('in_before')} AS before_active, ${d.countIf('in_after')} AS after_active,
       ${d.countIf('was_power')} AS before_power, ${d.countIf('is_power')} AS after_power,
       ${d.countIf('is_power AND NOT was_power')} AS entering,
       ${d.countIf('was_power AND NOT is_power')} AS leaving
     FROM ${joined}`,
  );
  const list = async (cond: string, order: string) =>
    (
      await engine.query<{ user_id: string }>(
        `SELECT user_id FROM ${joined} WHERE ${cond} ORDER BY ${order}, user_id LIMIT 20`,
      )
    ).map((r) => r.user_id);
  const share = (n: number, active: number) => (active > 0 ? n / active : 0);
  const beforePower = counts?.before_power ?? 0;
  const afterPower = counts?.after_power ?? 0;
  return {
    before: {
      power_users: beforePower,
      power_user_share: share(beforePower, counts?.before_active ?? 0),
    },
    after: {
      power_users: afterPower,
      power_user_share: share(afterPower, counts?.after_active ?? 0),
    },
    entering: counts?.entering ?? 0,
    leaving: counts?.leaving ?? 0,
    entering_users: await list('is_power AND NOT was_power', 'after_score DESC'),
    leaving_users: await list('was_power AND NOT is_power', 'before_score DESC'),
  };
}
