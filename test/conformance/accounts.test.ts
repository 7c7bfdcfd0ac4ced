import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountReport } from '../../src/accounts/account-report.js';
import { resolveAsOf } from '../../src/analysis/resolve-as-of.js';
import type { Row } from '../../src/engines/engine.js';
import { ConfigSchema } from '../../src/model/config.js';
import { resolveDefinition } from '../../src/model/resolve-definition.js';
import { expectAllEqual, roundNumbers } from '../helpers/conformance.js';
import { ENGINES, type EngineName, type OpenEngine, openEngine } from '../helpers/engines.js';

/**
 * The account signals on every engine from the same rollups: the history the report computes for
 * itself, a loss of power users long ago (with since), silent champions (a power user, a user who
 * carried the account, and one whose gap is their habit) and the ranking. The same answers, and
 * the ones worked out by hand in test/lifecycle/account-risks.test.ts (the same weeks and plans).
 */
const open = new Map<EngineName, OpenEngine>();
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const W = Array.from({ length: 15 }, (_, i) => addDays('2026-06-01', 7 * i));

// user -> [account, first week, last week, days a week (from Monday), events a day]
const PLAN: Record<string, [string, number, number, number, number]> = {
  clock: ['acct_clock', 0, 14, 7, 1],
  lost_p: ['acct_lost_old', 0, 3, 5, 5],
  lost_l: ['acct_lost_old', 0, 14, 1, 2],
  champ: ['acct_champ', 0, 13, 5, 20],
  peer_a: ['acct_champ', 0, 14, 2, 3],
  peer_b: ['acct_champ', 0, 14, 2, 3],
  peer_p: ['acct_champ', 0, 14, 4, 1],
  carrier: ['acct_carrier', 0, 13, 3, 30],
  car_a: ['acct_carrier', 0, 14, 1, 2],
  car_b: ['acct_carrier', 0, 14, 1, 2],
  habit: ['acct_habit', 0, 13, 1, 100],
  hab_a: ['acct_habit', 0, 14, 1, 2],
  hab_b: ['acct_habit', 0, 14, 1, 2],
};

function userDay(): Row[] {
  const rows: Row[] = [];
  for (const [user, [account, first, last, days, events]] of Object.entries(PLAN)) {
    for (let w = first; w <= last; w++) {
      for (let d = 0; d < days; d++) {
        const day = addDays(W[w] as string, d);
        rows.push({
          project_id: 'default',
          user_id: user,
          anonymous: false,
          account_id: account,
          day,
          events,
          sessions: 1,
          active_seconds: 60,
          first_seen: `${day} 10:00:00`,
          last_seen: `${day} 10:30:00`,
          session_seconds: [60],
        });
      }
    }
  }
  return rows;
}

const config = ConfigSchema.parse({
  definitions: { default: { window_days: 14, rule: { signal: 'days_active', min: 8 } } },
});

beforeAll(async () => {
  const rows = userDay();
  for (const name of ENGINES) {
    const e = await openEngine(name);
    open.set(name, e);
    await e.engine.insert('user_day', rows);
  }
}, 120_000);
afterAll(async () => {
  for (const e of open.values()) await e.close();
});

describe.skipIf(ENGINES.length === 0)(`account signals agree on ${ENGINES.join(' and ')}`, () => {
  it('compute the same history, risks, since and ranking', async () => {
    const answers: unknown[] = [];
    for (const e of open.values()) {
      const report = await accountReport(e.engine, {
        projectId: 'default',
        definition: resolveDefinition(config),
        catalogue: config.catalogue,
        period: 'week',
        asOf: await resolveAsOf(e.engine, 'default', undefined, true),
      });
      answers.push(roundNumbers(report));
    }
    const first = expectAllEqual(answers) as {
      computed_periods: number;
      accounts: {
        account_id: string;
        risk_rank?: number;
        signals: { signal: string; since?: string; user_id?: string }[];
      }[];
    };
    expect(first.computed_periods).toBe(14);
    const risks = first.accounts
      .filter((a) => a.risk_rank !== undefined)
      .map((a) => [a.account_id, a.signals.map((s) => [s.signal, s.since, s.user_id])]);
    expect(risks).toEqual([
      ['acct_champ', [['champion_silent', '2026-09-05', 'champ']]],
      ['acct_carrier', [['champion_silent', '2026-09-03', 'carrier']]],
      ['acct_lost_old', [['lost_power_users', '2026-06-29', undefined]]],
    ]);
  });
});
