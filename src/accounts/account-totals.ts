import type { Engine } from '../engines/engine.js';
import { compileAccountCurves, compileAccountTotals } from '../sql/compile-accounts.js';
import type { Accounts } from './account.js';

/**
 * Every account of the last scoring (the table `scored`): users ever seen, active users, power
 * users and their share, and its curve (users by days active), most power users first.
 */
export async function accountTotals(engine: Engine, projectId: string): Promise<Accounts> {
  const d = engine.dialect;
  const totals = await engine.query<{
    account_id: string;
    users: number;
    active_users: number;
    power_users: number;
  }>(compileAccountTotals(d).sql, { p: projectId });
  const accounts: Accounts = new Map(
    totals.map((t) => [
      t.account_id,
      {
        ...t,
        power_user_share: t.active_users > 0 ? t.power_users / t.active_users : 0,
        catalogue_coverage: 0,
        curve: [],
        signals: [],
      },
    ]),
  );
  for (const c of await engine.query<{
    account_id: string;
    days_active: number;
    users: number;
    power_users: number;
  }>(compileAccountCurves(d).sql)) {
    const { account_id, ...point } = c;
    accounts.get(account_id)?.curve.push(point);
  }
  return accounts;
}
