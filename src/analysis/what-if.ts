import type { Engine } from '../engines/engine.js';
import { compileWhatIf } from '../sql/compile-what-if.js';

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
  const sql = compileWhatIf(engine.dialect, before, after);
  const [counts] = await engine.query<{
    before_active: number;
    after_active: number;
    before_power: number;
    after_power: number;
    entering: number;
    leaving: number;
  }>(sql.counts);
  const list = async (query: string) =>
    (await engine.query<{ user_id: string }>(query)).map((r) => r.user_id);
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
    entering_users: await list(sql.entering),
    leaving_users: await list(sql.leaving),
  };
}
