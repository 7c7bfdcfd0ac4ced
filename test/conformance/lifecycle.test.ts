import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountReport } from '../../src/accounts/account-report.js';
import { resolveAsOf } from '../../src/analysis/resolve-as-of.js';
import type { Row } from '../../src/engines/engine.js';
import { lifecyclePeople, lifecycleReport } from '../../src/lifecycle/lifecycle-report.js';
import { runSnapshots } from '../../src/lifecycle/run-snapshots.js';
import { ConfigSchema } from '../../src/model/config.js';
import { LifecycleConfigSchema, lifecycleRules } from '../../src/model/lifecycle-config.js';
import { resolveDefinition } from '../../src/model/resolve-definition.js';
import { resolveSegments } from '../../src/model/segments.js';
import { expectAllEqual, roundNumbers } from '../helpers/conformance.js';
import { ENGINES, type EngineName, type OpenEngine, openEngine } from '../helpers/engines.js';

/**
 * Snapshots (scoring, segments, the insert) and the lifecycle queries on every engine from the
 * same rollups: the same stored rows, states, flows and people.
 */
const open = new Map<EngineName, OpenEngine>();
const WEEKS = ['2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23', '2026-03-30'];
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/**
 * Besides the 30 users of the pattern, two whose states are known: `climber` (1 day in W1, none
 * in W2, then 1, 2 and 3 days: attainment 0, 0.25, 0.5, 0.75 of the 4-day bar, emerging in W5)
 * and `fader` (6 days of 10 events a week, then 4 days of 2 in W5: 8 events against a usual 60, at
 * risk in W5).
 */
const PLANTED: Record<string, [number, number][]> = {
  climber: [
    [1, 3],
    [0, 0],
    [1, 3],
    [2, 3],
    [3, 3],
  ],
  fader: [
    [6, 10],
    [6, 10],
    [6, 10],
    [6, 10],
    [4, 2],
  ],
};

function userDay(): Row[] {
  const rows: Row[] = [];
  const push = (user: string, account: string, day: string, events: number) =>
    rows.push({
      project_id: 'default',
      user_id: user,
      anonymous: false,
      account_id: account,
      day,
      events,
      sessions: 1,
      active_seconds: 60,
      first_seen: `${day} 09:00:00`,
      last_seen: `${day} 10:00:00`,
      session_seconds: [60],
    });
  for (let u = 0; u < 30; u++) {
    for (const [w, week] of WEEKS.entries()) {
      // Each user's days per week rise, fall or stay, so every state turns up.
      const days = Math.max(0, Math.min(7, ((u * 7 + w * (u % 5)) % 9) - 1));
      for (let d = 0; d < days; d++) {
        push(
          `u${String(u).padStart(2, '0')}`,
          `a${u % 4}`,
          addDays(week, d),
          1 + ((u + w * 3 + d) % 11),
        );
      }
    }
  }
  for (const [user, plan] of Object.entries(PLANTED)) {
    for (const [w, [days, events]] of plan.entries()) {
      for (let d = 0; d < days; d++) push(user, 'a0', addDays(WEEKS[w] as string, d), events);
    }
  }
  return rows;
}

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

const config = ConfigSchema.parse({
  definitions: { default: { window_days: 7, rule: { signal: 'days_active', min: 4 } } },
});

describe.skipIf(ENGINES.length === 0)(`lifecycle agrees on ${ENGINES.join(' and ')}`, () => {
  it('stores the same snapshots and finds the same states, flows and people', async () => {
    const answers: unknown[] = [];
    for (const e of open.values()) {
      const asOf = await resolveAsOf(e.engine, 'default', undefined, true);
      await runSnapshots(e.engine, {
        projectId: 'default',
        definition: resolveDefinition(config),
        catalogue: config.catalogue,
        segments: resolveSegments({}),
        period: 'week',
        from: WEEKS[0],
        asOf,
      });
      const input = {
        projectId: 'default',
        definition: 'default',
        period: 'week',
        rules: lifecycleRules(LifecycleConfigSchema.parse({})),
        dialect: e.dialect,
      };
      const stored = await e.engine.query(
        `SELECT ${e.dialect.dateText('period_start')} AS w, user_id, account_id, is_power_user,
           score, criteria_met, criteria_total, days_active, events, trend, segments,
           ${e.dialect.dateText('window_start')} AS window_start,
           ${e.dialect.dateText('first_seen')} AS first_seen, days_active_7, events_7,
           baseline_days_active, baseline_events, baseline_days, attainment
         FROM user_snapshots ORDER BY w, user_id`,
      );
      const report = await lifecycleReport(e.engine, input);
      const people = [];
      for (const state of [
        'new',
        'retained',
        'lost',
        'emerging',
        'at_risk',
        'resurrected',
      ] as const) {
        for (const week of [WEEKS[3], WEEKS[4]] as string[]) {
          people.push(await lifecyclePeople(e.engine, input, state, week));
        }
      }
      const accounts = await accountReport(e.engine, {
        projectId: 'default',
        definition: resolveDefinition(config),
        catalogue: config.catalogue,
        period: 'week',
        minSimilarity: 0.1,
        asOf,
      });
      answers.push(roundNumbers({ stored, report, people, accounts }));
    }
    const first = expectAllEqual(answers) as {
      stored: unknown[];
      report: { periods: { states: Record<string, number> }[] };
    };
    expect(first.stored.length).toBeGreaterThan(50);
    const { accounts } = first as unknown as { accounts: { accounts: { curve: unknown[] }[] } };
    expect(accounts.accounts).toHaveLength(4);
    expect(accounts.accounts.every((a) => a.curve.length > 0)).toBe(true);
    const totals = { new: 0, retained: 0, lost: 0, emerging: 0, at_risk: 0 };
    for (const p of first.report.periods) {
      for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += p.states[k] ?? 0;
    }
    for (const n of Object.values(totals)) expect(n).toBeGreaterThan(0);
  });
});
