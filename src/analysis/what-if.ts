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

/** Who enters and who leaves the power users between two scorings of the same window. */
export async function compareScorings(
  engine: Engine,
  before: string,
  after: string,
): Promise<WhatIf> {
  const [counts] = await engine.query<{
    active: number;
    before_power: number;
    after_power: number;
    entering: number;
    leaving: number;
  }>(
    `SELECT count(*) AS active,
       count(*) FILTER (WHERE b.is_power_user) AS before_power,
       count(*) FILTER (WHERE a.is_power_user) AS after_power,
       count(*) FILTER (WHERE a.is_power_user AND NOT b.is_power_user) AS entering,
       count(*) FILTER (WHERE b.is_power_user AND NOT a.is_power_user) AS leaving
     FROM ${before} b JOIN ${after} a USING (user_id)`,
  );
  const list = async (cond: string, order: string) =>
    (
      await engine.query<{ user_id: string }>(
        `SELECT user_id FROM ${before} b JOIN ${after} a USING (user_id)
         WHERE ${cond} ORDER BY ${order}, user_id LIMIT 20`,
      )
    ).map((r) => r.user_id);
  const active = counts?.active ?? 0;
  const share = (n: number) => (active > 0 ? n / active : 0);
  return {
    before: {
      power_users: counts?.before_power ?? 0,
      power_user_share: share(counts?.before_power ?? 0),
    },
    after: {
      power_users: counts?.after_power ?? 0,
      power_user_share: share(counts?.after_power ?? 0),
    },
    entering: counts?.entering ?? 0,
    leaving: counts?.leaving ?? 0,
    entering_users: await list('a.is_power_user AND NOT b.is_power_user', 'a.score DESC'),
    leaving_users: await list('b.is_power_user AND NOT a.is_power_user', 'b.score DESC'),
  };
}
