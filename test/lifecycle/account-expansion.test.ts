import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPANSION_MIN_SIMILARITY } from '../../src/accounts/account-expansion.js';
import { type AccountReport, accountReport } from '../../src/accounts/account-report.js';
import { roomToGrow, smallPlans } from '../../src/accounts/account-room.js';
import { resolveAsOf } from '../../src/analysis/resolve-as-of.js';
import { runImport } from '../../src/ingest/import/run-import.js';
import { ConfigSchema } from '../../src/model/config.js';
import { resolveDefinition } from '../../src/model/resolve-definition.js';
import { runRollup } from '../../src/rollup/run-rollup.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/**
 * Expansion candidates, worked out by hand. Three weeks from Monday 2026-10-05, everyone active
 * from Monday on; the last day is Friday 2026-10-23, the window 7 days (2026-10-17..23: the last
 * week's 5 or 2 days), a power user is active on at least 4 of them.
 *
 * Every account uses either alpha and beta (all its users both) or gamma only, so its profile is
 * (alpha 1, beta 1) or (gamma 1). The 15 accounts with 2+ active users: 10 alpha-beta (rich_1..4,
 * cand_small, cand_seats, roomy, unknown, cheap, thin), 5 gamma (plain_1..4, gamma_power): the
 * average is (10/15, 10/15, 5/15). With a power user: rich_1..4 (100%), the five at 67% and
 * gamma_power (67%): 10, so the reference is the top ceil(10/4) = 3 by share, then id: rich_1..3,
 * profile (1, 1, 0). The leaning (1/3, 1/3, -1/3); an alpha-beta account's own difference is the
 * same: similarity 1; a gamma account's is the opposite: -1.
 *
 * Plans by their accounts' median MRR: starter 100, team 500, enterprise 3000; the cheaper half
 * of 3 plans is floor(3 / 2) = 1 plan: starter. The median MRR of the 10 accounts with one is 500.
 */
const WEEKS = ['2026-10-05', '2026-10-12', '2026-10-19'];
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

// account -> its users: [days a week, events a day, events]; and its traits.
const POWER: [number, number, string[]] = [5, 4, ['alpha', 'beta']];
const LIGHT: [number, number, string[]] = [2, 3, ['alpha', 'beta']];
const GAMMA_POWER: [number, number, string[]] = [5, 4, ['gamma']];
const GAMMA_LIGHT: [number, number, string[]] = [2, 3, ['gamma']];
const ACCOUNTS: Record<string, { users: (typeof POWER)[]; traits?: Record<string, unknown> }> = {
  rich_1: { users: [POWER, POWER], traits: { plan: 'team', mrr: 500 } },
  rich_2: { users: [POWER, POWER], traits: { plan: 'team', mrr: 500 } },
  rich_3: { users: [POWER, POWER], traits: { plan: 'enterprise', mrr: 3000 } },
  rich_4: { users: [POWER, POWER], traits: { plan: 'enterprise', mrr: 3000 } },
  plain_1: { users: [GAMMA_LIGHT, GAMMA_LIGHT] },
  plain_2: { users: [GAMMA_LIGHT, GAMMA_LIGHT] },
  plain_3: { users: [GAMMA_LIGHT, GAMMA_LIGHT] },
  plain_4: { users: [GAMMA_LIGHT, GAMMA_LIGHT] },
  // 2 power users of 3 (67% >= 1/3), similarity 1, on the small plan: a candidate.
  cand_small: { users: [POWER, POWER, LIGHT], traits: { plan: 'starter', mrr: 100 } },
  // On the biggest plan, but 3 active users on 3 seats: none to spare. A candidate.
  cand_seats: {
    users: [POWER, POWER, LIGHT],
    traits: { plan: 'enterprise', mrr: 2500, seats: 3 },
  },
  // The biggest plan and 50 seats: nothing to sell. Not a candidate.
  roomy: { users: [POWER, POWER, LIGHT], traits: { plan: 'enterprise', mrr: 3000, seats: 50 } },
  // No group call: usage alone, the sentence says so. A candidate.
  unknown: { users: [POWER, POWER, LIGHT] },
  // No plan, MRR 100 <= the median 500: a candidate.
  cheap: { users: [POWER, POWER, LIGHT], traits: { mrr: 100 } },
  // Uses what the best accounts use, but nobody in depth (share 0). Not a candidate.
  thin: { users: [LIGHT, LIGHT, LIGHT], traits: { plan: 'starter', mrr: 100 } },
  // Deep use, small plan, but of other features (similarity -1). Not a candidate.
  gamma_power: {
    users: [GAMMA_POWER, GAMMA_POWER, GAMMA_LIGHT],
    traits: { plan: 'starter', mrr: 100 },
  },
};

function csv(): string {
  const lines = ['message_id,timestamp,user_id,account_id,event'];
  for (const [account, { users }] of Object.entries(ACCOUNTS)) {
    for (const [u, [days, perDay, events]] of users.entries()) {
      const user = `${account}_u${u}`;
      for (const week of WEEKS) {
        for (let d = 0; d < days; d++) {
          const day = addDays(week, d);
          for (let k = 0; k < perDay; k++) {
            const at = `${day}T10:${String(k).padStart(2, '0')}:00Z`;
            lines.push(`${user}-${day}-${k},${at},${user},${account},${events[k % events.length]}`);
          }
        }
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

const config = ConfigSchema.parse({
  definitions: { default: { window_days: 7, rule: { signal: 'days_active', min: 4 } } },
});
let db: TempDb;
let report: AccountReport;

beforeAll(async () => {
  db = await openTempDb();
  await runImport(db.engine, {
    path: db.file('events.csv', csv()),
    projectId: 'default',
    timeZone: 'UTC',
    now: new Date('2026-11-01T00:00:00Z'),
  });
  const traits = Object.entries(ACCOUNTS).filter(([, a]) => a.traits);
  await db.engine.insert(
    'group_memberships',
    traits.map(([account_id, a], i) => ({
      project_id: 'default',
      message_id: `g${i}`,
      timestamp: '2026-10-05 09:00:00',
      user_id: null,
      anonymous_id: null,
      account_id,
      traits: JSON.stringify(a.traits),
      received_at: '2026-10-05 09:00:00',
      source: 'test',
    })),
  );
  await runRollup(db.engine, { projectId: 'default', timeZone: 'UTC', sessionGapMinutes: 30 });
  report = await accountReport(db.engine, {
    projectId: 'default',
    definition: resolveDefinition(config),
    catalogue: config.catalogue,
    period: 'week',
    asOf: await resolveAsOf(db.engine, 'default', undefined, true),
  });
}, 60_000);
afterAll(() => db.cleanup());

const chances = (account: string) =>
  report.accounts
    .find((a) => a.account_id === account)
    ?.signals.filter((s) => s.kind === 'chance')
    .map((s) => s.explanation) ?? [];

const USAGE =
  '2 of its 3 active users are power users (67%) and it uses the product like the 3 accounts richest in power users (similarity 1.00)';

describe('expansion candidates', () => {
  it('uses one default similarity, the same for the CLI, the API and the docs', () => {
    expect(report.as_of).toBe('2026-10-23');
    expect(report.similarity).toMatchObject({
      reference_accounts: 3,
      min_similarity: EXPANSION_MIN_SIMILARITY,
    });
  });

  it('are deep users like the best accounts, on a small plan, few seats or unknown traits', () => {
    const flagged = report.accounts
      .filter((a) => a.signals.some((s) => s.signal === 'expansion_candidate'))
      .map((a) => a.account_id)
      .sort();
    expect(flagged).toEqual(['cand_seats', 'cand_small', 'cheap', 'unknown']);
    expect(chances('cand_small')).toEqual([
      `${USAGE}; it is on plan starter, one of the smaller plans: room to sell more`,
    ]);
    expect(chances('cand_seats')).toEqual([
      `${USAGE}; it uses all 3 of its seats: room to sell more`,
    ]);
    expect(chances('cheap')).toEqual([
      `${USAGE}; it pays no more than the median account: room to sell more`,
    ]);
    expect(chances('unknown')).toEqual([
      `${USAGE}; its plan and seats are unknown: check them for room to sell more`,
    ]);
  });

  it('are not accounts without room, without depth, or with other usage', () => {
    for (const a of ['roomy', 'thin', 'gamma_power', 'rich_1', 'rich_3', 'plain_1']) {
      expect(chances(a)).toEqual([]);
    }
  });
});

describe('room to buy more', () => {
  const base = { active_users: 3, users: 3 };
  it('ranks plans by MRR, else seats, else users; the cheaper half is small', () => {
    const byMrr = [
      { ...base, account_id: 'a', plan: 'Pro', mrr: 900, seats: 1 },
      { ...base, account_id: 'b', plan: 'Basic', mrr: 90, seats: 99 },
      { ...base, account_id: 'c', plan: 'Max', mrr: 5000 },
      { ...base, account_id: 'd', plan: 'Free', mrr: 0 },
    ];
    expect([...smallPlans(byMrr)].sort()).toEqual(['Basic', 'Free']);
    // Max has no seats: by users ever seen instead.
    const bySize = [
      { ...base, account_id: 'a', plan: 'Pro', seats: 10, users: 10 },
      { ...base, account_id: 'b', plan: 'Basic', seats: 2, users: 20 },
      { ...base, account_id: 'c', plan: 'Max', users: 30 },
    ];
    expect([...smallPlans(bySize)]).toEqual(['Pro']);
    // One plan: nothing to move up to.
    expect([...smallPlans([{ ...base, account_id: 'a', plan: 'Pro' }])]).toEqual([]);
  });

  it('is a small plan, no seat to spare, or unknown; null when traits show neither', () => {
    const room = roomToGrow([
      { ...base, account_id: 'small', plan: 'Basic', mrr: 10 },
      { ...base, account_id: 'big', plan: 'Max', mrr: 1000, seats: 20 },
      { ...base, account_id: 'full', plan: 'Max', mrr: 1000, seats: 3 },
      { ...base, account_id: 'none', users: 5 },
    ]);
    expect(Object.fromEntries(room)).toEqual({
      small: 'small_plan',
      big: null,
      full: 'few_seats',
      none: 'unknown',
    });
  });
});
