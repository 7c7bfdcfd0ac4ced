import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAsOf } from '../../src/analysis/resolve-as-of.js';
import { runImport } from '../../src/ingest/import/run-import.js';
import {
  type LifecyclePerson,
  lifecyclePeople,
  lifecycleReport,
} from '../../src/lifecycle/lifecycle-report.js';
import { runSnapshots } from '../../src/lifecycle/run-snapshots.js';
import { ConfigSchema } from '../../src/model/config.js';
import { LifecycleConfigSchema, lifecycleRules } from '../../src/model/lifecycle-config.js';
import { resolveDefinition } from '../../src/model/resolve-definition.js';
import { resolveSegments } from '../../src/model/segments.js';
import { runRollup } from '../../src/rollup/run-rollup.js';
import { LIFECYCLE_STATES } from '../../src/sql/compile-lifecycle.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/*
 * At risk, emerging and partial periods on users whose answers are worked out by hand below
 * (docs/lifecycle.md). UTC; ten weeks W1..W10, Monday 2026-01-05 to Sunday 2026-03-15, each
 * scored as of its Sunday. The definition: a 28-day window (W(k-3)..Wk for week k), a power user
 * is active on 16+ of its days; attainment = min(1, days active / 16). The default rules: at risk
 * when the last 7 days' events are at most 50% of the user's usual week (their events over the
 * 28 days before, per 7 of the days they had been seen on, from 14 such days); emerging when the
 * attainment is 0.6+, up in each of the last 3 weeks and by 0.2+ over them, for a user seen since
 * before the oldest of those windows began.
 */
const WEEKS = Array.from({ length: 10 }, (_, w) => addDays('2026-01-05', 7 * w));
function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** Per user and week W1..W10: [days active (Monday on), events each day], or null. */
const PLAN: Record<string, ([number, number] | null)[]> = {
  // W1-W6 6 days x 20 events; W7 2 days x 5 events; then gone.
  // W7: window W4-W7 has 6+6+6+2 = 20 days: still a power user. Usual week over W3-W6: 480
  //   events / 28 days * 7 = 120; the last 7 days: 10 <= 60 -> at risk (events -92%). (The old
  //   rule, the window's events against the window before, saw 370 against 360: +3%.)
  // W8: window W5-W8 has 6+6+2+0 = 14 days < 16 -> lost. The warning came a week before.
  fader: [[6, 20], [6, 20], [6, 20], [6, 20], [6, 20], [6, 20], [2, 5], null, null, null],
  // 6 days x 20 events, but W7 4 days x 20: 80 against a usual 120 (-33%): retained, not at risk.
  steady: [
    [6, 20],
    [6, 20],
    [6, 20],
    [6, 20],
    [6, 20],
    [6, 20],
    [4, 20],
    [6, 20],
    [6, 20],
    [6, 20],
  ],
  // First seen W3 (Monday 01-19): 7 days x 20 events in W3 and W4, 2 days x 5 in W5, then gone.
  // W4: window W1-W4 has 14 days: not yet. W5: W2-W5 has 7+7+2 = 16: a power user for the first
  //   time, but the last 7 days' 10 events against a usual 140 (280 over the 14 days seen before
  //   them, per 7) -> at risk, not new. W6: W3-W6 still 16 days, 0 events against 96.7 (290 over
  //   21 days) -> at risk. W7: W4-W7 has 9 days -> lost.
  sprinter: [null, null, [7, 20], [7, 20], [2, 5], null, null, null, null, null],
  // Seen from W1 (1 day a week), then 2, 3, 4, 5 days a week from W5, 3 events a day.
  // Window days (attainment): W4 4 (.25), W5 5 (.3125), W6 7 (.4375), W7 10 (.625),
  //   W8 14 (.875), W9 17 (power: new).
  // W6: rising, but .4375 < .6 (not near the bar yet). W7: .25 < .3125 < .4375 < .625, up .375,
  //   seen since 01-05 <= 01-05 (the window of W4 starts then) -> emerging. W8: .3125 < .4375 <
  //   .625 < .875, up .5625 -> emerging. W9: new.
  climber: [
    [1, 3],
    [1, 3],
    [1, 3],
    [1, 3],
    [2, 3],
    [3, 3],
    [4, 3],
    [5, 3],
    [5, 3],
    [5, 3],
  ],
  // First seen W5 (Monday 02-02), then 3 days every week: its window fills up, its habit stays.
  // W5 .1875, W6 .375, W7 .5625, W8 .75 (rising, up .5625, near the bar), but in W8 the oldest
  // compared window (W5's: W2-W5) began 01-12, before it was first seen: not emerging. (The old
  // rule, score 60+ and up 5+ with a rising trend, called it emerging in W8.)
  newcomer: [null, null, null, null, [3, 3], [3, 3], [3, 3], [3, 3], [3, 3], [3, 3]],
  // 2 days a week from W1, 5 days in W8 only: attainment .5 W4-W7, then .6875 from W8 on: one
  // rise, not three in a row -> never emerging. (The old rule called it emerging in W8.)
  wobbler: [
    [2, 3],
    [2, 3],
    [2, 3],
    [2, 3],
    [2, 3],
    [2, 3],
    [2, 3],
    [5, 3],
    [2, 3],
    [2, 3],
  ],
};

function csv(): string {
  const lines = ['message_id,timestamp,user_id,account_id,event'];
  for (const [user, plan] of Object.entries(PLAN)) {
    for (const [w, week] of plan.entries()) {
      if (!week) continue;
      const [days, perDay] = week;
      for (let d = 0; d < days; d++) {
        const day = addDays(WEEKS[w] as string, d);
        for (let k = 0; k < perDay; k++) {
          lines.push(
            `${user}-${day}-${k},${day}T10:${String(k).padStart(2, '0')}:00Z,${user},acct,report_exported`,
          );
        }
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

const config = ConfigSchema.parse({
  definitions: { default: { window_days: 28, rule: { signal: 'days_active', min: 16 } } },
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
  db = await openTempDb();
  const path = db.file('events.csv', csv());
  await runImport(db.engine, {
    path,
    projectId: 'default',
    timeZone: 'UTC',
    now: new Date('2026-03-20T00:00:00Z'),
  });
  await runRollup(db.engine, { projectId: 'default', timeZone: 'UTC', sessionGapMinutes: 30 });
  await runSnapshots(db.engine, {
    projectId: 'default',
    definition: resolveDefinition(config),
    catalogue: config.catalogue,
    segments: resolveSegments({}),
    period: 'week',
    from: WEEKS[0],
    asOf: await resolveAsOf(db.engine, 'default', undefined, true),
  });
});
afterAll(async () => {
  await db.cleanup();
});

/** Every state of every user, week W2..W10 ('-' for none). */
async function statesByUser(): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const user of Object.keys(PLAN))
    out.set(
      user,
      WEEKS.slice(1).map(() => '-'),
    );
  for (const [w, start] of WEEKS.entries()) {
    if (w === 0) continue;
    for (const state of LIFECYCLE_STATES) {
      for (const p of await lifecyclePeople(db.engine, input(db), state, start)) {
        const row = out.get(p.user_id);
        if (row) row[w - 1] = state;
      }
    }
  }
  return out;
}

describe('early warnings', () => {
  it('warns of the fader a week before the loss, and calls only the real climb emerging', async () => {
    const s = await statesByUser();
    // W2..W10. fader and steady: W3's window (W1-W3) has 18 days: new.
    expect(s.get('fader')).toEqual([
      '-',
      'new',
      'retained',
      'retained',
      'retained',
      'at_risk',
      'lost',
      '-',
      '-',
    ]);
    expect(s.get('steady')).toEqual([
      '-',
      'new',
      'retained',
      'retained',
      'retained',
      'retained',
      'retained',
      'retained',
      'retained',
    ]);
    expect(s.get('climber')).toEqual([
      '-',
      '-',
      '-',
      '-',
      '-',
      'emerging',
      'emerging',
      'new',
      'retained',
    ]);
    // A power user for the first time and dropping at once: warned twice before the loss.
    expect(s.get('sprinter')).toEqual(['-', '-', '-', 'at_risk', 'at_risk', 'lost', '-', '-', '-']);
    expect(s.get('newcomer')).toEqual(['-', '-', '-', '-', '-', '-', '-', '-', '-']);
    expect(s.get('wobbler')).toEqual(['-', '-', '-', '-', '-', '-', '-', '-', '-']);
  });

  it('says why, with the numbers that decided it', async () => {
    const [fader] = await lifecyclePeople(db.engine, input(db), 'at_risk', WEEKS[6] as string);
    expect(fader).toMatchObject({
      user_id: 'fader',
      days_active_7: 2,
      events_7: 10,
      baseline_days_active: 24,
      baseline_events: 480,
      baseline_days: 28,
    } satisfies Partial<LifecyclePerson>);
    expect(fader?.reason).toBe(
      'still a power user, but active on 2 of the last 7 days with 10 events, against 6 days and 120 events a week over the 4 weeks before (events -92%)',
    );
    const [climber] = await lifecyclePeople(db.engine, input(db), 'emerging', WEEKS[6] as string);
    expect(climber?.attainment_history).toEqual([0.25, 0.3125, 0.4375, 0.625]);
    expect(climber?.reason).toBe(
      'not yet a power user, but closer to the definition in each of the last 3 weeks: 25% → 31% → 44% → 63% of the way (100% = a power user)',
    );
  });

  it('marks the periods whose window starts before the first day of data as partial', async () => {
    const report = await lifecycleReport(db.engine, input(db));
    expect(report.first_day).toBe('2026-01-05');
    // 28-day windows: W1's starts 2025-12-15, W3's 2025-12-29, W4's 2026-01-05 (the first day);
    // W10 is scored as of the last day with data, Saturday 03-14: its window starts 02-15.
    expect(report.periods.map((p) => [p.period_start, p.window_start, p.partial])).toEqual(
      WEEKS.map((w, i) => [w, i === 9 ? '2026-02-15' : addDays(w, -21), i < 3]),
    );
  });
});
