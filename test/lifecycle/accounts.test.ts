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
 * Account signals on planted accounts, weekly: an account that loses its last power user, a
 * champion who goes silent, a power user who moves to another account, one whose e-mail domain
 * changes, and an account that uses the product like the accounts rich in power users.
 */
const WEEKS = ['2026-10-05', '2026-10-12', '2026-10-19', '2026-10-26'];
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

// user -> per week: [account, days active, events per day, events] or null (not active)
type Week = [string, number, number, string[]] | null;
const PLAN: Record<string, Week[]> = {
  // acct_lost: its only power user stops after week 3; a light user stays.
  lost_power: [
    ['acct_lost', 5, 5, ['alpha']],
    ['acct_lost', 5, 5, ['alpha']],
    ['acct_lost', 5, 5, ['alpha']],
    null,
  ],
  lost_light: [
    ['acct_lost', 1, 2, ['gamma']],
    ['acct_lost', 1, 2, ['gamma']],
    ['acct_lost', 1, 2, ['gamma']],
    ['acct_lost', 1, 2, ['gamma']],
  ],
  // acct_champ (3 users): the champion does most of the events, then goes silent; a power user
  // stays.
  champion: [
    ['acct_champ', 5, 30, ['alpha']],
    ['acct_champ', 5, 30, ['alpha']],
    ['acct_champ', 5, 30, ['alpha']],
    null,
  ],
  champ_peer: [
    ['acct_champ', 4, 2, ['alpha']],
    ['acct_champ', 4, 2, ['alpha']],
    ['acct_champ', 4, 2, ['alpha']],
    ['acct_champ', 4, 2, ['alpha']],
  ],
  champ_light: [
    ['acct_champ', 1, 2, ['alpha']],
    ['acct_champ', 1, 2, ['alpha']],
    ['acct_champ', 1, 2, ['alpha']],
    ['acct_champ', 1, 2, ['alpha']],
  ],
  // A power user who moves from acct_old to acct_new in week 4.
  maven: [
    ['acct_old', 5, 5, ['alpha']],
    ['acct_old', 5, 5, ['alpha']],
    ['acct_old', 5, 5, ['alpha']],
    ['acct_new', 5, 5, ['alpha']],
  ],
  old_peer: [
    ['acct_old', 4, 3, ['alpha']],
    ['acct_old', 4, 3, ['alpha']],
    ['acct_old', 4, 3, ['alpha']],
    ['acct_old', 4, 3, ['alpha']],
  ],
  // A power user whose e-mail domain changes (identifies below).
  domain_mover: [
    ['acct_dom', 5, 5, ['alpha']],
    ['acct_dom', 5, 5, ['alpha']],
    ['acct_dom', 5, 5, ['alpha']],
    ['acct_dom', 5, 5, ['alpha']],
  ],
};
// Four accounts rich in power users lean on alpha and beta; one account with a power user among
// three leans the same way; three lean on gamma. Without traits (no group call), room to buy
// more is unknown: the alpha-beta accounts with a third or more power users are candidates.
for (const [i, acct] of ['rich_1', 'rich_2', 'rich_3', 'rich_4'].entries()) {
  for (const u of [0, 1]) {
    PLAN[`${acct}_u${u}`] = WEEKS.map(() => [acct, 5 + (i % 2), 4, ['alpha', 'beta']]);
  }
}
for (const u of [0, 1, 2])
  PLAN[`cand_u${u}`] = WEEKS.map(() => ['acct_cand', u === 0 ? 5 : 2, 3, ['alpha', 'beta']]);
for (const acct of ['plain_1', 'plain_2', 'plain_3']) {
  for (const u of [0, 1]) PLAN[`${acct}_u${u}`] = WEEKS.map(() => [acct, 2, 3, ['gamma']]);
}

function csv(): string {
  const lines = ['message_id,timestamp,user_id,account_id,event'];
  for (const [user, weeks] of Object.entries(PLAN)) {
    for (const [w, week] of weeks.entries()) {
      if (!week) continue;
      const [account, days, perDay, events] = week;
      for (let d = 0; d < days; d++) {
        const day = addDays(WEEKS[w] as string, d);
        for (let k = 0; k < perDay; k++) {
          const event = events[k % events.length];
          const at = `${day}T10:${String(k).padStart(2, '0')}:00Z`;
          lines.push(`${user}-${day}-${k},${at},${user},${account},${event}`);
        }
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

const config = ConfigSchema.parse({
  definitions: { default: { window_days: 7, rule: { signal: 'days_active', min: 4 } } },
});
const definition = resolveDefinition(config);
let db: TempDb;
let report: AccountReport;

beforeAll(async () => {
  db = await openTempDb();
  await runImport(db.engine, {
    path: db.file('events.csv', csv()),
    projectId: 'default',
    timeZone: 'UTC',
    now: new Date('2026-11-24T00:00:00Z'),
  });
  await db.engine.insert(
    'identifies',
    [
      ['i1', '2026-10-05 09:00:00', 'ada@old-employer.com'],
      ['i2', '2026-10-27 09:00:00', 'ada@new-employer.io'],
    ].map(([id, at, email]) => ({
      project_id: 'default',
      message_id: id,
      timestamp: at,
      user_id: 'domain_mover',
      anonymous_id: null,
      traits: JSON.stringify({ email }),
      received_at: at,
      source: 'test',
    })),
  );
  await runRollup(db.engine, { projectId: 'default', timeZone: 'UTC', sessionGapMinutes: 30 });
  const asOf = await resolveAsOf(db.engine, 'default', undefined, true);
  await runSnapshots(db.engine, {
    projectId: 'default',
    definition,
    catalogue: config.catalogue,
    segments: resolveSegments({}),
    period: 'week',
    from: WEEKS[0],
    asOf,
  });
  report = await accountReport(db.engine, {
    projectId: 'default',
    definition,
    catalogue: config.catalogue,
    period: 'week',
    asOf,
  });
}, 60_000);
afterAll(() => db.cleanup());

const signalsOf = (account: string) =>
  report.accounts.find((a) => a.account_id === account)?.signals.map((s) => s.signal) ?? [];
const explained = (account: string, signal: string) =>
  report.accounts.find((a) => a.account_id === account)?.signals.find((s) => s.signal === signal)
    ?.explanation;

describe('account signals', () => {
  it('an account that loses its last power user is a churn risk', () => {
    // Its power user also did most of its events, but of two users: no silent champion.
    expect(signalsOf('acct_lost')).toEqual(['lost_power_users']);
    expect(explained('acct_lost', 'lost_power_users')).toBe(
      'had 1 power user until the week of 2026-10-19 and none since the week of 2026-10-26 (1 week): churn risk',
    );
    const lost = report.accounts.find((a) => a.account_id === 'acct_lost');
    expect(lost).toMatchObject({ users: 2, active_users: 1, power_users: 0 });
  });

  it('a champion who did most of the events and went quiet', () => {
    expect(signalsOf('acct_champ')).toEqual(['champion_silent']);
    // The week of 2026-10-19: 5 days x 30 = 150 of 150 + 8 + 2 events. Gone from the last
    // window (2026-10-25..31, the rich accounts' users are active to Saturday): last seen
    // Friday 2026-10-23, 8 days before.
    expect(explained('acct_champ', 'champion_silent')).toBe(
      "champion did 94% of the events of the account's 3 active users in the 7 days to 2026-10-25, as a power user, and has not been seen since 2026-10-23 (8 days)",
    );
  });

  it('a power user who moved is flagged on both accounts; a new e-mail domain on theirs', () => {
    expect(signalsOf('acct_old')).toEqual(['maven_moved_out']);
    expect(signalsOf('acct_new')).toEqual(['maven_moved_in']);
    expect(explained('acct_old', 'maven_moved_out')).toContain('now works in account acct_new');
    expect(signalsOf('acct_dom')).toEqual(['maven_moved_in']);
    expect(explained('acct_dom', 'maven_moved_in')).toContain(
      'from old-employer.com to new-employer.io',
    );
  });

  it('an account that uses the product like the accounts rich in power users', () => {
    expect(signalsOf('acct_cand')).toEqual(['expansion_candidate']);
    expect(explained('acct_cand', 'expansion_candidate')).toMatch(
      /^1 of its 3 active users is a power user \(33%\) and it uses the product like the 2 accounts richest in power users \(similarity \d\.\d\d\); its plan and seats are unknown: check them for room to sell more$/,
    );
    expect(signalsOf('rich_1')).toEqual(['expansion_candidate']);
    for (const a of ['plain_1', 'plain_2', 'plain_3']) expect(signalsOf(a)).toEqual([]);
  });

  it('counts, coverage and a curve per account', () => {
    const rich = report.accounts.find((a) => a.account_id === 'rich_2');
    expect(rich).toMatchObject({ active_users: 2, power_users: 2, power_user_share: 1 });
    // alpha and beta of the three features used in the window.
    expect(rich?.catalogue_coverage).toBeCloseTo(2 / 3, 5);
    expect(rich?.curve).toEqual([{ days_active: 6, users: 2, power_users: 2 }]);
  });
});
