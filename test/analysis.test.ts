import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveAsOf } from '../src/analysis/resolve-as-of.js';
import { type AnalyzeOptions, runAnalysis } from '../src/analysis/run-analysis.js';
import { readScoredUsers, scoreInto } from '../src/analysis/score-users.js';
import { runImport } from '../src/ingest/import/run-import.js';
import { ConfigSchema } from '../src/model/config.js';
import { resolveDefinition } from '../src/model/resolve-definition.js';
import { runRollup } from '../src/rollup/run-rollup.js';
import { openTempDb, type TempDb } from './helpers/temp-db.js';

let db: TempDb;
beforeEach(async () => {
  db = await openTempDb();
});
afterEach(async () => {
  await db.cleanup();
});

const AS_OF = '2026-03-30';
const definition = (windowDays?: number) =>
  resolveDefinition(ConfigSchema.parse({}), { windowDays });

async function scoredUsers(asOf: string, windowDays?: number) {
  const d = definition(windowDays);
  await scoreInto(db.engine, d, { projectId: 'default', asOf });
  return readScoredUsers(db.engine, d);
}

/** The report as the CLI asks for it: the as-of date resolved first (the last day with data by default). */
const analyze = async (
  o: Partial<Omit<AnalyzeOptions, 'definition' | 'projectId'>> & { windowDays?: number },
) =>
  runAnalysis(db.engine, {
    projectId: 'default',
    ...o,
    asOf: await resolveAsOf(db.engine, 'default', o.asOf),
    definition: definition(o.windowDays),
  });
const day = (n: number) => `2026-03-${String(n).padStart(2, '0')}`;

/** Rows: user, day number in March, events done that day (one minute apart from 09:00). */
async function load(plan: Array<[string, number[], string[]]>): Promise<void> {
  const rows = ['user_id,timestamp,event,account_id'];
  for (const [user, days, events] of plan) {
    for (const d of days) {
      events.forEach((e, i) => {
        rows.push(`${user},${day(d)}T09:${String(i).padStart(2, '0')}:00Z,${e},acct_${user[0]}`);
      });
    }
  }
  await importAndRollUp('fixture.csv', rows);
}

/** Imports CSV lines (header first) into the test database and builds the rollups. */
async function importAndRollUp(name: string, lines: string[]): Promise<void> {
  await runImport(db.engine, {
    path: db.file(name, lines.join('\n')),
    projectId: 'default',
    timeZone: 'UTC',
    now: new Date('2026-04-01T00:00:00Z'),
  });
  await runRollup(db.engine, { projectId: 'default', timeZone: 'UTC', sessionGapMinutes: 30 });
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);
const CORE = [
  'report_viewed',
  'chart_edited',
  'filter_applied',
  'search_performed',
  'comment_added',
];

describe('scoring with the default definition', () => {
  beforeEach(async () => {
    await load([
      // p1: 25 days, five core features every day, two rare (advanced) features once.
      ['p1', range(6, 30), ['login', ...CORE, ...CORE]],
      ['p1', [10], ['automation_created', 'workflow_built']],
      // p2: 21 days, core features only, invites three teammates.
      ['p2', range(10, 30), ['login', ...CORE, 'report_viewed']],
      ['p2', [12, 13, 14], ['teammate_invited']],
      // h1: every day, but only a login and one trivial view: heavy but shallow.
      ['h1', range(1, 30), ['login', 'dashboard_viewed']],
      // seven regulars using a few core features on a few days.
      ...['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'].map(
        (u, i) =>
          [u, [3 + i, 10 + i, 20 + i], ['login', 'dashboard_viewed', ...CORE]] as [
            string,
            number[],
            string[],
          ],
      ),
      // i1: active once, on the window's first day.
      ['i1', [1], ['report_viewed']],
    ]);
  });

  it('finds the deep users and not the heavy-but-shallow one', async () => {
    const users = await scoredUsers(AS_OF);
    const power = users.filter((u) => u.is_power_user).map((u) => u.user_id);
    expect(power.sort()).toEqual(['p1', 'p2']);
    const h1 = users.find((u) => u.user_id === 'h1');
    const freq = h1?.criteria.find((c) => c.id === 'frequency');
    expect(freq?.passed).toBe(true);
    expect(freq?.value).toBe(30);
    const breadth = h1?.criteria.filter((c) => c.id.endsWith('_features'));
    expect(breadth?.map((c) => [c.value, c.passed, c.decisive])).toEqual([
      [1, false, true],
      [0, false, true],
    ]);
    // Every failed criterion decides: breadth failed, and none of the habits held. With no
    // feature tagged key_action, key actions are the actions but views: h1's one view a day is none.
    expect(h1?.reason).toBe(
      'not yet: 1 core feature, needs 5; no advanced feature, needs 2; 0 key actions, needs the top 20%; invited or shared 0 times, needs 3; active in 5 of the last 13 weeks, needs 10',
    );
  });

  it('explains each criterion with value, threshold and rank', async () => {
    const users = await scoredUsers(AS_OF);
    const p1 = users.find((u) => u.user_id === 'p1');
    expect(p1?.criteria.map((c) => [c.id, c.passed])).toEqual([
      ['frequency', true],
      ['core_features', true],
      ['advanced_features', true],
      ['depth', true],
      ['collaboration', false],
      ['consistency', false],
    ]);
    const depth = p1?.criteria.find((c) => c.id === 'depth');
    // 11 active users; p1 has the most key actions: top 1/11 = 9.1%, shown rounded up as 10%.
    expect(depth?.top_percent).toBe(10);
    // Key actions leave views out: each day's two rounds of CORE less two report views, and the
    // two advanced features.
    expect(depth?.value).toBe(25 * 8 + 2);
    expect(p1?.reason).toContain('active 25 of 30 days');
    expect(p1?.reason).toContain('2 advanced features: Automation Created, Workflow Built');
    const p2 = users.find((u) => u.user_id === 'p2');
    expect(p2?.criteria.find((c) => c.id === 'collaboration')?.passed).toBe(true);
    // p2 passes 3 of 5 criteria fully; consistency attainment 3/10 (weeks), depth rank 2 of 11.
    expect(p2?.score).toBeGreaterThan(70);
    expect(p2?.score).toBeLessThan(100);
  });

  it('draws the L30 curve with the power users part', async () => {
    const r = await analyze({ asOf: AS_OF });
    expect(r.totals.active_users).toBe(11);
    expect(r.totals.power_users).toBe(2);
    expect(r.curves.l30).toHaveLength(30);
    const at = (d: number) => r.curves.l30[d - 1];
    expect(at(1)).toEqual({ days_active: 1, users: 1, power_users: 0 });
    expect(at(3)).toEqual({ days_active: 3, users: 7, power_users: 0 });
    expect(at(21)).toEqual({ days_active: 21, users: 1, power_users: 1 });
    expect(at(25)).toEqual({ days_active: 25, users: 1, power_users: 1 });
    expect(at(30)).toEqual({ days_active: 30, users: 1, power_users: 0 });
    const days = r.power_vs_everyone_else.find((g) => g.signal === 'days_active');
    expect(days?.power_users_median).toBe(23);
  });

  it('uses the window: a 7-day window ending earlier sees fewer users', async () => {
    const r = await analyze({ asOf: '2026-03-09', windowDays: 7 });
    // Days 3..9: h1, p1 (from the 6th), r1..r7 on their first active day (3..9).
    expect(r.totals.active_users).toBe(9);
    expect(r.curves.l30).toHaveLength(7);
  });

  it('defaults the as-of date to the last day with data and rejects bad input', async () => {
    const r = await analyze({});
    expect(r.as_of).toBe('2026-03-30');
    await expect(analyze({ asOf: '30/03/2026' })).rejects.toThrow(/YYYY-MM-DD/);
    expect(() => definition(0)).toThrow('window 0: use a whole number of days from 1 to 366.');
  });
});

describe('an empty project', () => {
  it('says there is nothing to analyse and how to fix it', async () => {
    await expect(analyze({})).rejects.toThrow(
      /no data in project .* yet: send events to it, or import a file/,
    );
  });
});

describe('who counts as a user', () => {
  it('leaves anonymous-only ids out of users, ranks and the feature catalogue', async () => {
    const rows = ['user_id,anonymous_id,timestamp,event,account_id'];
    // Ten identified users, daily, doing the same two things.
    for (let u = 0; u < 10; u++) {
      for (let d = 1; d <= 30; d++) {
        rows.push(`k${u},,${day(d)}T09:00:00Z,inbox_checked,acct`);
        rows.push(`k${u},,${day(d)}T09:01:00Z,message_marked_read,acct`);
      }
    }
    // 150 one-visit anonymous ids: had they counted, the two features would look rare.
    for (let a = 0; a < 150; a++) rows.push(`,anon${a},${day(15)}T12:00:00Z,page_view,`);
    await importAndRollUp('anon.csv', rows);
    const r = await analyze({ asOf: AS_OF });
    expect(r.totals.users).toBe(10);
    expect(r.totals.active_users).toBe(10);
    expect(r.totals.power_users).toBe(0);
    const stored = await db.engine.query<{ n: number }>(
      'SELECT count(DISTINCT user_id) AS n FROM user_day WHERE anonymous',
    );
    expect(stored).toEqual([{ n: 150 }]);
  });

  it('shows a user under the account holding most of their events in the window', async () => {
    const rows = ['user_id,timestamp,event,account_id'];
    // Busiest single day in acct_b, but more events overall in acct_a.
    rows.push(`m,${day(2)}T09:00:00Z,x,acct_b`, `m,${day(2)}T09:01:00Z,x,acct_b`);
    rows.push(`m,${day(2)}T09:02:00Z,x,acct_b`);
    for (let d = 3; d <= 6; d++) rows.push(`m,${day(d)}T09:00:00Z,x,acct_a`);
    await importAndRollUp('accounts.csv', rows);
    const users = await scoredUsers(AS_OF);
    expect(users.map((u) => [u.user_id, u.account_id])).toEqual([['m', 'acct_a']]);
  });
});
