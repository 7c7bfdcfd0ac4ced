import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccountReport, accountReport } from '../../src/accounts/account-report.js';
import { resolveAsOf } from '../../src/analysis/resolve-as-of.js';
import { runImport } from '../../src/ingest/import/run-import.js';
import { runSnapshots } from '../../src/lifecycle/run-snapshots.js';
import { ConfigSchema } from '../../src/model/config.js';
import { resolveDefinition } from '../../src/model/resolve-definition.js';
import { resolveSegments } from '../../src/model/segments.js';
import { runRollup } from '../../src/rollup/run-rollup.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/**
 * The account risks over a quarter of weekly history, each answer worked out by hand: the history
 * the report computes for itself, an account that lost its power users long ago and stays
 * flagged until it recovers, champions that went quiet where it means something, and the risks
 * ranked by what is at stake.
 *
 * 15 weeks, Monday 2026-06-01 (W0) to Sunday 2026-09-13 (the last day of W14 = 2026-09-07).
 * Definition: a 14-day window, power user = active on at least 8 of its days. A user active d
 * days in each of two weeks has 2d days in a weekly snapshot's window (power from 4 a week).
 * Default lookback: 13 weeks, so the history is W1..W14 (W0 is before it): 14 stored periods.
 */
const W = Array.from({ length: 15 }, (_, i) => addDays('2026-06-01', 7 * i));
function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

// user -> [account, first week, last week, days a week (from Monday), events a day, event]
type Plan = [string, number, number, number, number, string];
const PLAN: Record<string, Plan[]> = {
  // Active every day of every week: the last day with data is 2026-09-13. No signal.
  clock: [['acct_clock', 0, 14, 7, 1, 'alpha']],
  // Power user W1..W3 (10 days in each window); W4's window (W3..W4) holds 5 days: not power.
  // Last power week W3 (2026-06-22), none since W4 (2026-06-29): 11 weeks (W4..W14). The old
  // 4-week lookback (W10..W13) no longer saw it.
  lost_p: [['acct_lost_old', 0, 3, 5, 5, 'alpha']],
  lost_l: [['acct_lost_old', 0, 14, 1, 2, 'gamma']],
  // Power W1..W3, gone W4..W9, back W10..W14 (power W11..W14): recovered, not flagged.
  rec_p: [
    ['acct_recovered', 0, 3, 5, 5, 'alpha'],
    ['acct_recovered', 10, 14, 5, 5, 'alpha'],
  ],
  rec_l: [['acct_recovered', 0, 14, 1, 2, 'gamma']],
  // W13's window (2026-08-24..2026-09-06): champ 10 days x 20 = 200 events, a power user;
  // peer_a, peer_b 4 x 3 = 12; peer_p 8 x 1 = 8 (a power user). 200 / 232 = 86% of 4 users.
  // Last seen Friday of W13, 2026-09-04: 9 days before 2026-09-13 (>= 7, and 9 x 10 days active
  // >= 3 x 14). peer_p is still a power user: no lost power users.
  champ: [['acct_champ', 0, 13, 5, 20, 'alpha']],
  peer_a: [['acct_champ', 0, 14, 2, 3, 'beta']],
  peer_b: [['acct_champ', 0, 14, 2, 3, 'beta']],
  peer_p: [['acct_champ', 0, 14, 4, 1, 'alpha']],
  // Two users: one doing most of a pair's work is what a pair looks like. No signal.
  pair_t: [['acct_pair', 0, 13, 5, 20, 'alpha']],
  pair_o: [['acct_pair', 0, 14, 4, 1, 'alpha']],
  // Not a power user (6 days), but carried the account: 6 x 30 = 180 of 180 + 4 + 4 = 96% of 3
  // users. Last seen Wednesday of W13, 2026-09-02: 11 days (>= 7; 11 x 6 >= 3 x 14).
  carrier: [['acct_carrier', 0, 13, 3, 30, 'gamma']],
  car_a: [['acct_carrier', 0, 14, 1, 2, 'gamma']],
  car_b: [['acct_carrier', 0, 14, 1, 2, 'gamma']],
  // Carries the account (200 of 208) on one visit a week: unseen since Monday 2026-08-31, 13
  // days, but 13 x 2 days active < 3 x 14: within three of their usual 7-day gaps. No signal.
  habit: [['acct_habit', 0, 13, 1, 100, 'gamma']],
  hab_a: [['acct_habit', 0, 14, 1, 2, 'gamma']],
  hab_b: [['acct_habit', 0, 14, 1, 2, 'gamma']],
  // The top user did half (24 of 48) and is no power user: not carrying it. No signal.
  half_t: [['acct_half', 0, 13, 3, 4, 'gamma']],
  half_a: [['acct_half', 0, 14, 3, 2, 'gamma']],
  half_b: [['acct_half', 0, 14, 3, 2, 'gamma']],
  // A power user (8 days) who did a third or more: 8 x 3 = 24 of 24 + 18 + 18 = 40% of 3 users.
  // Last seen Thursday of W13, 2026-09-03: 10 days. Its only power user: lost since W14, too.
  third_q: [['acct_third', 0, 13, 4, 3, 'alpha']],
  th_a: [['acct_third', 0, 14, 3, 3, 'gamma']],
  th_b: [['acct_third', 0, 14, 3, 3, 'gamma']],
};

function csv(): string {
  const lines = ['message_id,timestamp,user_id,account_id,event'];
  for (const [user, spans] of Object.entries(PLAN)) {
    for (const [account, first, last, days, perDay, event] of spans) {
      for (let w = first; w <= last; w++) {
        for (let d = 0; d < days; d++) {
          const day = addDays(W[w] as string, d);
          for (let k = 0; k < perDay; k++) {
            const at = `${day}T10:${String(k % 60).padStart(2, '0')}:${String(Math.floor(k / 60)).padStart(2, '0')}Z`;
            lines.push(`${user}-${day}-${k},${at},${user},${account},${event}`);
          }
        }
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Account traits from group calls that name no user: what is at stake. */
const TRAITS: Record<string, Record<string, unknown>> = {
  acct_carrier: { name: 'Carrier Co', mrr: 900 },
  acct_third: { name: 'Third Ltd', seats: 40 },
};

const config = ConfigSchema.parse({
  definitions: { default: { window_days: 14, rule: { signal: 'days_active', min: 8 } } },
});
const definition = resolveDefinition(config);
let db: TempDb;
let asOf: string;
let first: AccountReport;
let again: AccountReport;
let fourWeeks: AccountReport;

const report = (lookbackPeriods?: number) =>
  accountReport(db.engine, {
    projectId: 'default',
    definition,
    catalogue: config.catalogue,
    period: 'week',
    asOf,
    lookbackPeriods,
  });

/** The events and traits above imported and rolled up, with the latest week stored. */
async function seeded(t: TempDb): Promise<string> {
  await runImport(t.engine, {
    path: t.file('events.csv', csv()),
    projectId: 'default',
    timeZone: 'UTC',
    now: new Date('2026-09-20T00:00:00Z'),
  });
  await t.engine.insert(
    'group_memberships',
    Object.entries(TRAITS).map(([account_id, traits], i) => ({
      project_id: 'default',
      message_id: `g${i}`,
      timestamp: '2026-06-01 09:00:00',
      user_id: null,
      anonymous_id: null,
      account_id,
      traits: JSON.stringify(traits),
      received_at: '2026-06-01 09:00:00',
      source: 'test',
    })),
  );
  await runRollup(t.engine, { projectId: 'default', timeZone: 'UTC', sessionGapMinutes: 30 });
  const day = await resolveAsOf(t.engine, 'default', undefined, true);
  // What an earlier `accounts` run left: the latest week only.
  await runSnapshots(t.engine, {
    projectId: 'default',
    definition,
    catalogue: config.catalogue,
    segments: resolveSegments({}),
    period: 'week',
    asOf: day,
  });
  return day;
}

beforeAll(async () => {
  db = await openTempDb();
  asOf = await seeded(db);
  first = await report();
  again = await report();
  fourWeeks = await report(4);
}, 120_000);
afterAll(() => db.cleanup());

const risks = (r: AccountReport, account: string) =>
  r.accounts
    .find((a) => a.account_id === account)
    ?.signals.filter((s) => s.kind === 'risk')
    .map(({ signal, since, user_id, explanation }) => ({ signal, since, user_id, explanation }));

describe('the history the account signals need', () => {
  it('is computed by the report itself when only the latest week is stored', () => {
    expect(asOf).toBe('2026-09-13');
    // W1..W13 before the stored W14, then W14 again.
    expect(first.computed_periods).toBe(14);
    expect(first.lookback_periods).toBe(13);
    expect(first.compared_periods).toBe(true);
  });

  it('is stored: a second run computes only the latest week and answers the same', () => {
    expect(again.computed_periods).toBe(1);
    expect(again.accounts).toEqual(first.accounts);
  });
});

describe('a bounded history (the API computes at most 14 periods a request)', () => {
  it('computes the periods allowed, says from when, and leaves the rest to a backfill', async () => {
    const t = await openTempDb();
    try {
      const day = await seeded(t);
      const bounded = (maxHistoryPeriods?: number) =>
        accountReport(t.engine, {
          projectId: 'default',
          definition,
          catalogue: config.catalogue,
          period: 'week',
          asOf: day,
          maxHistoryPeriods,
        });
      const short = await bounded(4);
      // The 4 weeks before the stored one (from the week of 2026-08-10), then that one again.
      expect(short.computed_periods).toBe(5);
      expect(short.history_limit?.from).toBe('2026-08-10');
      expect(short.history_limit?.hint).toContain(
        'powerlens backfill --period week --from 2026-06-08',
      );
      // A loss of 11 weeks ago is beyond what was computed.
      expect(risks(short, 'acct_lost_old')).toEqual([]);
      // Without the bound the other 9 weeks are computed, and the loss is seen.
      const full = await bounded();
      expect(full.computed_periods).toBe(10);
      expect(full.history_limit).toBeNull();
      expect(risks(full, 'acct_lost_old')?.map((r) => r.since)).toEqual(['2026-06-29']);
    } finally {
      await t.cleanup();
    }
  }, 120_000);
});

describe('lost power users', () => {
  it('stays flagged, with since, until the account has a power user again', () => {
    expect(risks(first, 'acct_lost_old')).toEqual([
      {
        signal: 'lost_power_users',
        since: '2026-06-29',
        user_id: undefined,
        explanation:
          'had 1 power user until the week of 2026-06-22 and none since the week of 2026-06-29 (11 weeks): churn risk',
      },
    ]);
    expect(risks(first, 'acct_recovered')).toEqual([]);
  });

  it('looks back as far as asked: 4 weeks no longer see a loss of 11 weeks ago', () => {
    expect(fourWeeks.lookback_periods).toBe(4);
    expect(risks(fourWeeks, 'acct_lost_old')).toEqual([]);
  });
});

describe('a silent champion', () => {
  it('is a power user who did most of the events of an account of 3 or more', () => {
    expect(risks(first, 'acct_champ')).toEqual([
      {
        signal: 'champion_silent',
        since: '2026-09-05',
        user_id: 'champ',
        explanation:
          "champ did 86% of the events of the account's 4 active users in the 14 days to 2026-09-06, as a power user, and has not been seen since 2026-09-04 (9 days)",
      },
    ]);
  });

  it('is a power user who did a third or more, or anyone who clearly carried the account', () => {
    expect(risks(first, 'acct_third')).toEqual([
      {
        signal: 'lost_power_users',
        since: '2026-09-07',
        user_id: undefined,
        explanation:
          'had 1 power user until the week of 2026-08-31 and none since the week of 2026-09-07 (1 week): churn risk',
      },
      {
        signal: 'champion_silent',
        since: '2026-09-04',
        user_id: 'third_q',
        explanation:
          "third_q did 40% of the events of the account's 3 active users in the 14 days to 2026-09-06, as a power user, and has not been seen since 2026-09-03 (10 days)",
      },
    ]);
    expect(risks(first, 'acct_carrier')).toEqual([
      {
        signal: 'champion_silent',
        since: '2026-09-03',
        user_id: 'carrier',
        explanation:
          "carrier did 96% of the events of the account's 3 active users in the 14 days to 2026-09-06 and has not been seen since 2026-09-02 (11 days)",
      },
    ]);
  });

  it('is not a pair, a top user with half the events, nor a gap within their habit', () => {
    expect(risks(first, 'acct_pair')).toEqual([]);
    expect(risks(first, 'acct_half')).toEqual([]);
    expect(risks(first, 'acct_habit')).toEqual([]);
    expect(risks(first, 'acct_clock')).toEqual([]);
  });
});

describe('the accounts at risk', () => {
  it('come first, most at stake first: MRR, then seats, then active users', () => {
    const atRisk = first.accounts.filter((a) => a.risk_rank !== undefined);
    expect(atRisk.map((a) => [a.account_id, a.risk_rank])).toEqual([
      ['acct_carrier', 1], // MRR 900
      ['acct_third', 2], // 40 seats
      ['acct_champ', 3], // 4 active users
      ['acct_lost_old', 4], // 1 active user
    ]);
    expect(first.accounts.slice(0, 4)).toEqual(atRisk);
    expect(first.accounts.slice(4).every((a) => a.risk_rank === undefined)).toBe(true);
  });
});
