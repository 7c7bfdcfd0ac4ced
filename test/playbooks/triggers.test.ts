import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAsOf } from '../../src/analysis/resolve-as-of.js';
import { runImport } from '../../src/ingest/import/run-import.js';
import { lifecycleReport } from '../../src/lifecycle/lifecycle-report.js';
import { runSnapshots } from '../../src/lifecycle/run-snapshots.js';
import { ConfigSchema } from '../../src/model/config.js';
import { lifecycleRules } from '../../src/model/lifecycle-config.js';
import type { Playbook } from '../../src/model/playbook.js';
import { resolveDefinition } from '../../src/model/resolve-definition.js';
import { resolveSegments } from '../../src/model/segments.js';
import type { Occurrence } from '../../src/playbooks/occurrence.js';
import { evaluateTriggers, evaluateTriggersSince } from '../../src/playbooks/triggers.js';
import { runRollup } from '../../src/rollup/run-rollup.js';
import { LIFECYCLE_STATES } from '../../src/sql/compile-lifecycle.js';
import { compileTriggerCandidates } from '../../src/sql/compile-triggers.js';
import { docsExampleConfig } from '../helpers/docs-example.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/*
 * Playbook triggers and filters on users whose answers are worked out by hand below
 * (docs/playbooks.md, docs/lifecycle.md). UTC; six weeks W1..W6, Monday 2026-01-05 to Sunday
 * 2026-02-15, each scored as of its Sunday (steady is active every day, so W6 is too).
 * The definition: a 7-day window (the week itself), a power user is active on 4+ of its days,
 * so the score of a power user with d days is 50 + 50 g / (1 + g), g = (1 + d) / 5: 4 days 75,
 * 6 days 79, 7 days 81; anyone else 50 d / 4 (2 days: 25). The segment heavy: a power user
 * active on 6+ days of the window (the built-in segments are dropped).
 * At risk (default rules): a power user whose last 7 days' events are at most half their usual
 * week (the 28 days before, per 7 of the days they had been seen on, from 14 such days).
 * Emerging: not a power user, attainment (days / 4, capped) 0.6+, up in each of the last 3 weeks
 * and by 0.2+ over them, seen since before the oldest of those windows began.
 * Accounts: acct_team {plan: team, csm: ana, Region: eu}; acct_free {plan: free, csm: bo};
 * acct_none has no group call, so no traits.
 */
const WEEKS = Array.from({ length: 6 }, (_, w) => addDays('2026-01-05', 7 * w));
const W5 = WEEKS[4] as string;
const W6 = WEEKS[5] as string;
function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

type Week = [number, number] | null;
const every = (w: Week, n: number): Week[] => Array.from({ length: n }, () => w);

/** Per user: account, and per week W1..W6 [days active (Monday on), events each day] or null. */
const PLAN: Record<string, { account: string; weeks: Week[] }> = {
  // A power user every week (heavy, retained): fires nothing.
  steady: { account: 'acct_team', weeks: every([7, 20], 6) },
  // 2 days a week, then 6 days in W6: a power user for the first time (new; 30 events against a
  // usual 10 a week, not at risk) and heavy. W6: welcome, welcome_heavy, joined_heavy.
  newbie: { account: 'acct_team', weeks: [...every([2, 5], 5), [6, 5]] },
  // 5 days a week W1-W4 (power), 1 day in W5 (lost), 5 days in W6: resurrected (50 events
  // against 160 / 28 * 7 = 40 a week), not heavy. W5: lost, but winback wants plan team: no.
  // W6: welcome (not welcome_heavy: not in heavy), comeback (resurrected, plan free).
  returner: { account: 'acct_free', weeks: [...every([5, 10], 4), [1, 10], [5, 10]] },
  // 6 days a week (heavy), then 2 days in W6: lost (score 25), left heavy.
  // W6: winback (plan team, csm ana), left_heavy.
  quitter: { account: 'acct_team', weeks: [...every([6, 10], 5), [2, 10]] },
  // 5 days a week, gone in W6: lost (not in W6's snapshot), but plan free: winback filters it out.
  leaver_free: { account: 'acct_free', weeks: [...every([5, 10], 5), null] },
  // 7 days x 20 W1-W4, then 6 days x 3: W5 at risk (18 events against 560 / 28 * 7 = 140, -87%;
  // score 79 passes risk's min 78). W6 still at risk (18 against 438 / 4 = 109.5): entered_state
  // at_risk fires in W5 only. Heavy all along.
  fader: { account: 'acct_team', weeks: [...every([7, 20], 4), [6, 3], [6, 3]] },
  // 7 days x 20 W1-W5, then 4 days x 2 in W6: at risk (8 against 140) from retained, but score 75
  // is below risk's min 78: filtered out. 4 days: no longer heavy, still a power user.
  // W6: left_heavy.
  timid: { account: 'acct_team', weeks: [...every([7, 20], 5), [4, 2]] },
  // 7 days x 20 W1-W3, 3 days W4 (lost) and W5 (no state: attainment .75 flat), then 6 days x 1
  // in W6: a power user again, but 6 events against (140 + 140 + 60 + 60) / 4 = 100: at risk,
  // having not been a power user in W5, so it became one too. Heavy in W6, not W5; score 79.
  // W6: welcome, welcome_heavy, joined_heavy, risk.
  bouncer: {
    account: 'acct_team',
    weeks: [...every([7, 20], 3), [3, 20], [3, 20], [6, 1]],
  },
  // 1 day W1, W2, absent W3, then 1, 2, 3 days: attainment 0 (W3), .25, .5, .75 in W6: up in each
  // of the last 3 weeks, by .75, near the bar, seen since 01-05 (before W3's window, 01-19):
  // emerging in W6 (in W5 .5 < .6: not yet). W6: climbers.
  climber: { account: 'acct_team', weeks: [[1, 3], [1, 3], null, [1, 3], [2, 3], [3, 3]] },
  // The same climb on an account with no traits: climbers filters it out.
  drifter: { account: 'acct_none', weeks: [[1, 3], [1, 3], null, [1, 3], [2, 3], [3, 3]] },
};

const TRAITS: Record<string, Record<string, unknown>> = {
  acct_team: { plan: 'team', csm: 'ana', Region: 'eu' },
  acct_free: { plan: 'free', csm: 'bo' },
};

function csv(): string {
  const lines = ['message_id,timestamp,user_id,account_id,event'];
  for (const [user, { account, weeks }] of Object.entries(PLAN)) {
    for (const [w, week] of weeks.entries()) {
      if (!week) continue;
      const [days, perDay] = week;
      for (let d = 0; d < days; d++) {
        const day = addDays(WEEKS[w] as string, d);
        for (let k = 0; k < perDay; k++) {
          lines.push(
            `${user}-${day}-${k},${day}T10:${String(k).padStart(2, '0')}:00Z,${user},${account},report_exported`,
          );
        }
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

const webhook = [{ webhook: { url: 'https://example.test/hook', secret_env: 'HOOK_SECRET' } }];
const config = ConfigSchema.parse({
  definitions: { default: { window_days: 7, rule: { signal: 'days_active', min: 4 } } },
  segments: {
    innovator: { enabled: false },
    advocate: { enabled: false },
    optimizer: { enabled: false },
    heavy: {
      label: 'Heavy',
      description: 'active on 6 or more days of the window',
      rule: { signal: 'days_active', min: 6 },
    },
  },
  playbooks: {
    welcome: { trigger: { on: 'became_power_user' }, actions: webhook },
    welcome_heavy: {
      trigger: { on: 'became_power_user' },
      filters: { segments: ['heavy'] },
      actions: webhook,
    },
    winback: {
      trigger: { on: 'stopped_power_user' },
      filters: { account_traits: { plan: ['team', 'business'], csm: ['ana'] } },
      actions: webhook,
    },
    risk: {
      trigger: { on: 'entered_state', state: 'at_risk' },
      filters: { score: { min: 78 } },
      actions: webhook,
    },
    climbers: {
      trigger: { on: 'entered_state', state: 'emerging' },
      filters: { account_traits: { plan: ['team', 'free'], region: ['eu'] } },
      actions: webhook,
    },
    comeback: {
      trigger: { on: 'entered_state', state: 'resurrected' },
      filters: { account_traits: { plan: ['free'] } },
      actions: webhook,
    },
    joined_heavy: { trigger: { on: 'joined_segment', segment: 'heavy' }, actions: webhook },
    left_heavy: { trigger: { on: 'left_segment', segment: 'heavy' }, actions: webhook },
    // Never fire: disabled, and a definition with no snapshots stored.
    disabled: { enabled: false, trigger: { on: 'became_power_user' }, actions: webhook },
    other_definition: {
      definition: 'other',
      trigger: { on: 'became_power_user' },
      actions: webhook,
    },
  },
});
const segments = resolveSegments(config.segments);

const evaluate = (periodStart?: string) =>
  evaluateTriggers(db.engine, {
    projectId: 'default',
    definition: 'default',
    period: 'week',
    rules: lifecycleRules(config.lifecycle),
    playbooks: config.playbooks,
    segments,
    periodStart,
  });
const fired = (occurrences: Occurrence[]) =>
  occurrences.map((o) => `${o.playbook}:${o.subject_id}`);
const find = (occurrences: Occurrence[], playbook: string, user: string) => {
  const o = occurrences.find((x) => x.playbook === playbook && x.subject_id === user);
  if (!o) throw new Error(`${playbook} did not fire for ${user}`);
  return o;
};

let db: TempDb;
beforeAll(async () => {
  db = await openTempDb();
  await runImport(db.engine, {
    path: db.file('events.csv', csv()),
    projectId: 'default',
    timeZone: 'UTC',
    now: new Date('2026-02-20T00:00:00Z'),
  });
  await db.engine.insert(
    'group_memberships',
    Object.entries(TRAITS).map(([account_id, traits], i) => ({
      project_id: 'default',
      message_id: `g${i}`,
      timestamp: '2026-01-05 09:00:00',
      user_id: null,
      anonymous_id: null,
      account_id,
      traits: JSON.stringify(traits),
      received_at: '2026-01-05 09:00:00',
      source: 'test',
    })),
  );
  await runRollup(db.engine, { projectId: 'default', timeZone: 'UTC', sessionGapMinutes: 30 });
  await runSnapshots(db.engine, {
    projectId: 'default',
    definition: resolveDefinition(config),
    catalogue: config.catalogue,
    segments,
    period: 'week',
    from: WEEKS[0],
    asOf: await resolveAsOf(db.engine, 'default', undefined, true),
  });
}, 60_000);
afterAll(async () => {
  await db.cleanup();
});

describe('playbook triggers', () => {
  it('fire for exactly the users worked out by hand in the latest week', async () => {
    const occurrences = await evaluate();
    expect(fired(occurrences)).toEqual([
      'climbers:climber',
      'comeback:returner',
      'joined_heavy:bouncer',
      'joined_heavy:newbie',
      'left_heavy:quitter',
      'left_heavy:timid',
      'risk:bouncer',
      'welcome:bouncer',
      'welcome:newbie',
      'welcome:returner',
      'welcome_heavy:bouncer',
      'welcome_heavy:newbie',
      'winback:quitter',
    ]);
    expect(new Set(occurrences.map((o) => o.period_start))).toEqual(new Set([W6]));
  });

  it('fire entered_state at_risk in the first week of a run only', async () => {
    // W5: fader turns at risk (from retained); returner is lost, but on plan free (winback: no).
    expect(fired(await evaluate(W5))).toEqual(['risk:fader']);
    // Any day of the week names it: Wednesday of W5.
    expect(fired(await evaluate(addDays(W5, 2)))).toEqual(['risk:fader']);
    // W6: fader is still at risk, so not in the W6 list above; a period not stored gives none.
    expect(fired(await evaluate('2026-03-02'))).toEqual([]);
    // The first stored period is the baseline: nothing before it to compare with.
    expect(fired(await evaluate(WEEKS[0]))).toEqual([]);
  });

  it('evaluate a playbook that fell behind in every stored period from its cursor, a new one in the latest only', async () => {
    const run = await evaluateTriggersSince(db.engine, {
      projectId: 'default',
      definition: 'default',
      period: 'week',
      rules: lifecycleRules(config.lifecycle),
      playbooks: { risk: config.playbooks.risk, welcome: config.playbooks.welcome } as Record<
        string,
        Playbook
      >,
      segments,
      // risk last ran in W4 (a run in W5 was missed); welcome never ran.
      since: new Map([['risk', WEEKS[3] as string]]),
    });
    expect(run.occurrences.map((o) => `${o.playbook}:${o.subject_id}:${o.period_start}`)).toEqual([
      `risk:fader:${W5}`,
      `risk:bouncer:${W6}`,
      `welcome:bouncer:${W6}`,
      `welcome:newbie:${W6}`,
      `welcome:returner:${W6}`,
    ]);
    expect(run.reached).toEqual(
      new Map([
        ['risk', W6],
        ['welcome', W6],
      ]),
    );
    // A cursor before the first stored period: every stored period is evaluated (W1..W6 here).
    const far = await evaluateTriggersSince(db.engine, {
      projectId: 'default',
      definition: 'default',
      period: 'week',
      rules: lifecycleRules(config.lifecycle),
      playbooks: { risk: config.playbooks.risk } as Record<string, Playbook>,
      segments,
      since: new Map([['risk', '2025-01-06']]),
    });
    expect(far.occurrences.map((o) => o.period_start)).toEqual([W5, W6]);
  });

  it("read each period's states as the lifecycle report does, from the few periods they need", async () => {
    // The candidates' query computes states over the period and the emerging climb's periods
    // before it only; the report computes them over every stored period. They must agree.
    const input = {
      projectId: 'default',
      definition: 'default',
      period: 'week',
      rules: lifecycleRules(config.lifecycle),
      dialect: db.engine.dialect,
    };
    const report = await lifecycleReport(db.engine, input, { retention: false });
    for (const week of WEEKS.slice(1)) {
      const q = compileTriggerCandidates(input, week);
      const rows = await db.engine.query<{ state: string }>(q.sql, q.params);
      const counted = Object.fromEntries(
        LIFECYCLE_STATES.map((s) => [s, rows.filter((r) => r.state === s).length]),
      );
      const period = report.periods.find((p) => p.period_start === week);
      expect(counted, week).toEqual(period?.states);
    }
  });

  it('give the same occurrence ids when evaluated twice, from project, playbook, trigger, user and period', async () => {
    const first = await evaluate();
    const second = await evaluate();
    expect(second.map((o) => o.occurrence_id)).toEqual(first.map((o) => o.occurrence_id));
    expect(new Set(first.map((o) => o.occurrence_id)).size).toBe(first.length);
    const risk = find(first, 'risk', 'bouncer');
    expect(risk.occurrence_id).toBe(
      createHash('sha256')
        .update(JSON.stringify(['default', 'risk', 'entered_state:at_risk', 'bouncer', W6]))
        .digest('hex'),
    );
    expect(risk.occurrence_id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('say what happened and why, with the numbers', async () => {
    const w6 = await evaluate();
    const [fader] = await evaluate(W5);
    expect(fader).toMatchObject({
      project_id: 'default',
      playbook: 'risk',
      trigger: 'entered_state',
      subject_type: 'user',
      subject_id: 'fader',
      account_id: 'acct_team',
      period_start: W5,
      data: {
        score: 79,
        previous_score: 81,
        state: 'at_risk',
        previous_state: 'retained',
        segments: ['heavy'],
        account_id: 'acct_team',
        changed: 'state: retained → at_risk',
      },
    });
    expect(fader?.explanation).toBe(
      'at risk in the week of 2026-02-02 (score 79): still a power user, but active on 6 of the last 7 days with 18 events, against 7 days and 140 events a week over the 4 weeks before (events -87%)',
    );
    expect(find(w6, 'welcome', 'newbie').explanation).toBe(
      'became a power user in the week of 2026-02-09 (score 25 the week before, score 79 now): a power user for the first time in the stored snapshots',
    );
    expect(find(w6, 'welcome', 'returner').explanation).toBe(
      'became a power user in the week of 2026-02-09 (score 13 the week before, score 77 now): a power user again, after at least one week without',
    );
    expect(find(w6, 'welcome', 'bouncer').explanation).toBe(
      'became a power user in the week of 2026-02-09 (score 38 the week before, score 79 now): not one the week before, and already at risk: active on 6 of the last 7 days with 6 events, against 5 days and 100 events a week over the 4 weeks before (events -94%)',
    );
    const quitter = find(w6, 'winback', 'quitter');
    expect(quitter.explanation).toBe(
      'stopped being a power user in the week of 2026-02-09 (score 79 the week before, score 25 now): a power user in the week before, not now: active on 2 days of the window',
    );
    expect(quitter.data).toMatchObject({
      score: 25,
      previous_score: 79,
      is_power_user: false,
      was_power_user: true,
      state: 'lost',
      segments: [],
      previous_segments: ['heavy'],
    });
    expect(find(w6, 'joined_heavy', 'newbie').explanation).toBe(
      'joined the segment Heavy (heavy) in the week of 2026-02-09 (score 25 the week before, score 79 now): a power user new this week who now meets its criteria: active on 6 or more days of the window',
    );
    expect(find(w6, 'joined_heavy', 'newbie').data).toMatchObject({
      segment: 'heavy',
      changed: 'segments: + heavy',
      segments: ['heavy'],
    });
    expect(find(w6, 'left_heavy', 'timid').explanation).toBe(
      'left the segment Heavy (heavy) in the week of 2026-02-09 (score 81 the week before, score 75 now): still a power user, but no longer meets its criteria: active on 6 or more days of the window',
    );
    expect(find(w6, 'left_heavy', 'quitter').explanation).toBe(
      'left the segment Heavy (heavy) in the week of 2026-02-09 (score 79 the week before, score 25 now): no longer a power user, and segments are of power users',
    );
    expect(find(w6, 'climbers', 'climber').explanation).toBe(
      'emerging in the week of 2026-02-09 (score 38): not yet a power user, but closer to the definition in each of the last 3 weeks: 0% → 25% → 50% → 75% of the way (100% = a power user)',
    );
  });
});

describe('docs/playbooks.md', () => {
  it('has a YAML example under Triggers and filters that the config schema accepts', () => {
    const parsed = docsExampleConfig('playbooks.md', 'Triggers and filters');
    expect(Object.keys(parsed.playbooks)).toEqual([
      'champion_at_risk',
      'welcome_new_power_user',
      'lost_on_free_plan',
    ]);
    expect(parsed.playbooks.lost_on_free_plan?.enabled).toBe(false);
  });
});
