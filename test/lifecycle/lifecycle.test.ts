import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAsOf } from '../../src/analysis/resolve-as-of.js';
import { runImport } from '../../src/ingest/import/run-import.js';
import { lifecyclePeople, lifecycleReport } from '../../src/lifecycle/lifecycle-report.js';
import { runSnapshots } from '../../src/lifecycle/run-snapshots.js';
import { ConfigSchema } from '../../src/model/config.js';
import { LifecycleConfigSchema, lifecycleRules } from '../../src/model/lifecycle-config.js';
import { resolveDefinition } from '../../src/model/resolve-definition.js';
import { resolveSegments } from '../../src/model/segments.js';
import { runRollup } from '../../src/rollup/run-rollup.js';
import type { LifecycleState } from '../../src/sql/compile-lifecycle.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/**
 * Lifecycle on planted users, in a project on Europe/Berlin time with weeks across the change to
 * summer time (Sunday 2026-03-29): one user per state, the flows, the people in a state, and a
 * backfill followed by an incremental run equal to a backfill of everything.
 */
const ZONE = 'Europe/Berlin';
// Weeks W1..W6 (Monday to Sunday); W3 holds the change to summer time.
const WEEKS = ['2026-03-09', '2026-03-16', '2026-03-23', '2026-03-30', '2026-04-06', '2026-04-13'];
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
/** The UTC instant of a Berlin wall-clock time (CET before 2026-03-29 02:00, CEST after). */
const berlin = (day: string, time: string) => {
  const offset =
    day < '2026-03-29' || (day === '2026-03-29' && time < '02:00') ? '+01:00' : '+02:00';
  return new Date(`${day}T${time}:00${offset}`).toISOString();
};

// Per user and week: days active (the first n days of the week) and events per day.
type Plan = Record<string, ([number, number] | null)[]>;
const PLAN: Plan = {
  steady: [
    [5, 10],
    [5, 10],
    [5, 10],
    [5, 10],
    [5, 10],
    [5, 10],
  ],
  newbie: [null, null, [5, 10], [5, 10], [5, 10], [5, 10]],
  leaver: [[5, 10], [5, 10], [5, 10], null, null, null],
  comeback: [[5, 10], [1, 10], null, [5, 10], [5, 10], [5, 10]],
  fader: [
    [5, 10],
    [5, 10],
    [5, 10],
    [4, 10],
    [4, 2],
    [4, 2],
  ],
  // Seen in W1, away in W2, then 1, 2, 3 days (attainment 0.25, 0.5, 0.75 of the 4-day bar):
  // up in each of three weeks, by 0.5 (emerging in W5), a power user in W6.
  riser: [[1, 10], null, [1, 10], [2, 10], [3, 10], [5, 10]],
};

function csv(weeks: number): string {
  const lines = ['message_id,timestamp,user_id,account_id,event'];
  for (const [user, plan] of Object.entries(PLAN)) {
    for (const [w, week] of plan.slice(0, weeks).entries()) {
      if (!week) continue;
      const [days, perDay] = week;
      for (let d = 0; d < days; d++) {
        for (let k = 0; k < perDay; k++) {
          const day = addDays(WEEKS[w] as string, d);
          const at = berlin(day, `10:${String(k).padStart(2, '0')}`);
          lines.push(`${user}-${day}-${k},${at},${user},acct,report_exported`);
        }
      }
    }
  }
  // Three days in W3 (Wednesday to Friday), and an event at 00:30 on Monday 30 March, Berlin time:
  // 22:30 UTC on Sunday. Counted on its local day, W3 has 3 active days (not a power user); on
  // its UTC day it would have 4.
  if (weeks >= 4) {
    for (const day of ['2026-03-25', '2026-03-26', '2026-03-27']) {
      lines.push(`dst-${day},${berlin(day, '12:00')},dst_edge,acct,report_exported`);
    }
    lines.push(`dst-monday,${berlin('2026-03-30', '00:30')},dst_edge,acct,report_exported`);
  }
  return `${lines.join('\n')}\n`;
}

const config = ConfigSchema.parse({
  timeZone: ZONE,
  definitions: { default: { window_days: 7, rule: { signal: 'days_active', min: 4 } } },
});
const definition = resolveDefinition(config);

/** The first `weeks` weeks of events, imported (again: ids already stored are skipped). */
async function load(db: TempDb, weeks: number): Promise<void> {
  const path = db.file(`events-${weeks}.csv`, csv(weeks));
  await runImport(db.engine, {
    path,
    projectId: 'default',
    timeZone: ZONE,
    now: new Date('2026-04-20T00:00:00Z'),
  });
  await runRollup(db.engine, { projectId: 'default', timeZone: ZONE, sessionGapMinutes: 30 });
}

const dbs: TempDb[] = [];
afterAll(async () => {
  for (const db of dbs) await db.cleanup();
});

async function fresh(): Promise<TempDb> {
  const db = await openTempDb();
  dbs.push(db);
  await db.engine.run("UPDATE projects SET time_zone = $tz WHERE project_id = 'default'", {
    tz: ZONE,
  });
  return db;
}

/** Snapshots from `from` (or the latest stored) to the last day with data. */
const snapshotOptions = async (db: TempDb, from?: string) => ({
  projectId: 'default',
  definition,
  catalogue: config.catalogue,
  segments: resolveSegments({}),
  period: 'week' as const,
  from,
  asOf: await resolveAsOf(db.engine, 'default', undefined, true),
});

const input = (db: TempDb) => ({
  projectId: 'default',
  definition: 'default',
  period: 'week',
  rules: lifecycleRules(LifecycleConfigSchema.parse({})),
  dialect: db.engine.dialect,
});

let db: TempDb;
beforeAll(async () => {
  db = await fresh();
  await load(db, 6);
  await runSnapshots(db.engine, await snapshotOptions(db, WEEKS[0]));
});

describe('lifecycle per week', () => {
  it('puts each planted user in their state, week by week', async () => {
    const states = new Map<string, string>();
    for (const [w, start] of WEEKS.entries()) {
      if (w === 0) continue;
      for (const state of [
        'new',
        'retained',
        'resurrected',
        'at_risk',
        'lost',
        'emerging',
      ] as LifecycleState[]) {
        for (const p of await lifecyclePeople(db.engine, input(db), state, start)) {
          states.set(`${p.user_id}@W${w + 1}`, state);
        }
      }
    }
    const of = (user: string) => [2, 3, 4, 5, 6].map((w) => states.get(`${user}@W${w}`) ?? '-');
    expect(of('steady')).toEqual(['retained', 'retained', 'retained', 'retained', 'retained']);
    expect(of('newbie')).toEqual(['-', 'new', 'retained', 'retained', 'retained']);
    expect(of('leaver')).toEqual(['retained', 'retained', 'lost', '-', '-']);
    expect(of('comeback')).toEqual(['lost', '-', 'resurrected', 'retained', 'retained']);
    // W5: 8 events in the last 7 days against a usual 47.5 a week (190 over W1-W4): at risk; W6:
    // 8 against 37 (148 over W2-W5), still at most half: at risk again.
    expect(of('fader')).toEqual(['retained', 'retained', 'retained', 'at_risk', 'at_risk']);
    expect(of('riser')).toEqual(['-', '-', '-', 'emerging', 'new']);
    // Local days: the 00:30 Monday event belongs to W4, so W3 has 3 days, not 4.
    expect(of('dst_edge')[1]).not.toBe('new');
  });

  it('gives a trend only against a window with events: newbie is n/a in W3, steady is 0%', async () => {
    const newPeople = await lifecyclePeople(db.engine, input(db), 'new', WEEKS[2] as string);
    expect(newPeople.find((p) => p.user_id === 'newbie')?.trend).toBeNull();
    const retained = await lifecyclePeople(db.engine, input(db), 'retained', WEEKS[2] as string);
    // 50 events in W3's 7-day window against 50 in W2's.
    expect(retained.find((p) => p.user_id === 'steady')?.trend).toBe(0);
  });

  it('counts the states, the power users and the flows between states', async () => {
    const report = await lifecycleReport(db.engine, input(db));
    expect(report.periods.map((p) => p.period_start)).toEqual(WEEKS);
    expect(report.periods[0]?.baseline).toBe(true);
    const w4 = report.periods[3];
    expect(w4?.states).toMatchObject({ resurrected: 1, lost: 1, new: 0 });
    expect(w4?.power_users).toBe(4);
    const w5 = report.periods[4];
    expect(w5?.states.at_risk).toBe(1);
    // The riser moved from emerging (W5) to new (W6).
    expect(report.flows).toContainEqual({
      period_start: WEEKS[5],
      from: 'emerging',
      to: 'new',
      users: 1,
    });
    expect(report.flows).toContainEqual({
      period_start: WEEKS[4],
      from: 'retained',
      to: 'at_risk',
      users: 1,
    });
    // A week on: 19 power users over weeks 1 to 5, 18 active the week after (the leaver is not);
    // 7 others (the comeback's slow week, the riser's W1, W3, W4 and W5, the DST user's W3 and
    // W4), 4 still active (the riser's W3, W4, W5 and the DST user's W3).
    const week = (group: string) =>
      report.retention.find((r) => r.group === group && r.periods_later === 1);
    expect(week('power_users')).toMatchObject({ cohort: 19, retained: 18 });
    expect(week('everyone_else')).toMatchObject({ cohort: 7, retained: 4 });
  });

  it('a backfill, then an incremental run after new data, equals a backfill of everything', async () => {
    const partial = await fresh();
    await load(partial, 4);
    await runSnapshots(partial.engine, await snapshotOptions(partial, WEEKS[0]));
    await load(partial, 6);
    const incremental = await runSnapshots(partial.engine, await snapshotOptions(partial));
    // Only the periods from the last one stored: W4 again, then W5 and W6.
    expect(incremental.periods.map((p) => p.period_start)).toEqual(WEEKS.slice(3));
    const rows = (e: TempDb) =>
      e.engine.query(
        `SELECT CAST(period_start AS VARCHAR) AS w, CAST(as_of AS VARCHAR) AS as_of, user_id,
           is_power_user, score, criteria_met, days_active, events, trend, segments,
           CAST(window_start AS VARCHAR) AS window_start, CAST(first_seen AS VARCHAR) AS first_seen,
           days_active_7, events_7, baseline_days_active, baseline_events, baseline_days,
           attainment
         FROM user_snapshots ORDER BY w, user_id`,
      );
    expect(await rows(partial)).toEqual(await rows(db));
    // And again: the same rows (a period is replaced whole).
    await runSnapshots(partial.engine, await snapshotOptions(partial));
    expect(await rows(partial)).toEqual(await rows(db));
  });
});
