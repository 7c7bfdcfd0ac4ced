import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/engines/engine.js';
import { lifecycleReport } from '../../src/lifecycle/lifecycle-report.js';
import { runSnapshots } from '../../src/lifecycle/run-snapshots.js';
import { ConfigSchema } from '../../src/model/config.js';
import { lifecycleRules } from '../../src/model/lifecycle-config.js';
import { resolveDefinition } from '../../src/model/resolve-definition.js';
import { resolveSegments } from '../../src/model/segments.js';
import { slackBody } from '../../src/playbooks/channels/slack.js';
import { evaluatePlaybooks } from '../../src/playbooks/evaluate-playbooks.js';
import type { Occurrence } from '../../src/playbooks/occurrence.js';
import { PlaybookError } from '../../src/playbooks/playbook-error.js';
import { atLeastPercent, defaultTopDays } from '../../src/playbooks/project-alerts.js';
import { runPlaybooks } from '../../src/playbooks/run-playbooks.js';
import { docsExampleConfig } from '../helpers/docs-example.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/*
 * Project alerts on planted users whose totals are worked out by hand (docs/playbooks.md,
 * "Project alerts"). UTC; three weeks W1..W3 from Monday 2026-05-04, 3 events on each active
 * day (so nobody is at risk: a power user's events never fall to half their usual week), W3
 * compared with W2. Definition default: a 7-day window, a power user is active on 4+ of its
 * days; its top bucket (the default top_days) is 6+ days.
 *
 *   users      W1 W2 W3 days   W2            W3
 *   a1..a6     7  7  7         retained      retained, top bucket (6+ and 7)
 *   b1..b3     7  7  4         retained      retained, out of the top bucket
 *   c1, c2     5  5  2         retained      lost (active, not a power user)
 *   d1         5  5  -         retained      lost (not active)
 *   e1         1  1  6         -             new, top bucket (6+, not 7)
 *   f1..f8     2  2  2         -             -
 *
 * Power users W2 12 of 21 active (57.1%), W3 10 of 20 (50%): -16.7%, -7.1 points; 3 lost, 1 new.
 * Top bucket 6+: 9 of 21 (42.9%) then 7 of 20 (35%): -7.9 points; 7 days: 42.9% then 6 of 20
 * (30%): -12.9 points. Flows into W3: retained → lost 3 of the 12 retained (25%), retained →
 * retained 9, none → new 1.
 * Definition wide: a 21-day window, whose W2 window starts before the data (partial): its count
 * moves (20 power users then 21) but is not compared.
 */
const WEEKS = ['2026-05-04', '2026-05-11', '2026-05-18'];
const [W1, W2, W3] = WEEKS as [string, string, string];
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

const GROUPS: [string, number, (number | null)[]][] = [
  ['a', 6, [7, 7, 7]],
  ['b', 3, [7, 7, 4]],
  ['c', 2, [5, 5, 2]],
  ['d', 1, [5, 5, null]],
  ['e', 1, [1, 1, 6]],
  ['f', 8, [2, 2, 2]],
];

function userDay(): Row[] {
  const rows: Row[] = [];
  for (const [prefix, n, weeks] of GROUPS) {
    for (let u = 1; u <= n; u++) {
      for (const [w, days] of weeks.entries()) {
        for (let d = 0; d < (days ?? 0); d++) {
          const day = addDays(WEEKS[w] as string, d);
          rows.push({
            project_id: 'default',
            user_id: `${prefix}${u}`,
            anonymous: false,
            account_id: 'acct',
            day,
            events: 3,
            sessions: 1,
            active_seconds: 60,
            first_seen: `${day} 09:00:00`,
            last_seen: `${day} 10:00:00`,
            session_seconds: [60],
          });
        }
      }
    }
  }
  return rows;
}

const webhook = [{ webhook: { url: 'https://example.test/hook', secret_env: 'HOOK_SECRET' } }];
const slack = { slack: { url_env: 'SLACK_URL', channel: '#product' } };
const flow = (extra: Record<string, unknown>) => ({
  trigger: { on: 'lifecycle_flow', from: 'retained', to: 'lost', ...extra },
  actions: webhook,
});
const config = ConfigSchema.parse({
  definitions: {
    default: { window_days: 7, rule: { signal: 'days_active', min: 4 } },
    wide: { window_days: 21, rule: { signal: 'days_active', min: 4 } },
  },
  segments: {
    innovator: { enabled: false },
    advocate: { enabled: false },
    optimizer: { enabled: false },
  },
  playbooks: {
    // -16.7%: down by 15% fires; 20% and a rise do not.
    count_down_15: {
      trigger: { on: 'power_user_count_changed', min_percent: 15, direction: 'down' },
      actions: [...webhook, slack],
    },
    count_20: { trigger: { on: 'power_user_count_changed', min_percent: 20 }, actions: webhook },
    count_up: {
      trigger: { on: 'power_user_count_changed', min_percent: 10, direction: 'up' },
      actions: webhook,
    },
    // -7.1 points: 5 down fires; 8, and 5 up, do not.
    share_5: {
      trigger: { on: 'power_user_share_changed', min_points: 5, direction: 'down' },
      actions: webhook,
    },
    share_8: { trigger: { on: 'power_user_share_changed', min_points: 8 }, actions: webhook },
    share_up: {
      trigger: { on: 'power_user_share_changed', min_points: 5, direction: 'up' },
      actions: webhook,
    },
    // 6+ days: -7.9 points (7 fires, 8 does not); 7 days: -12.9 points (12 fires).
    top_7: { trigger: { on: 'curve_top_bucket_shrank', min_points: 7 }, actions: webhook },
    top_8: { trigger: { on: 'curve_top_bucket_shrank', min_points: 8 }, actions: webhook },
    top_all_week: {
      trigger: { on: 'curve_top_bucket_shrank', min_points: 12, top_days: 7 },
      actions: webhook,
    },
    // retained → lost: 3 users, 25% of the 12 retained.
    flow_3: flow({ min_users: 3 }),
    flow_4: flow({ min_users: 4 }),
    flow_25: flow({ min_percent: 25 }),
    flow_30: flow({ min_percent: 30 }),
    flow_both: flow({ min_users: 3, min_percent: 30 }),
    flow_new: flow({ from: 'none', to: 'new', min_users: 1 }),
    flow_back: flow({ from: 'lost', to: 'resurrected', min_users: 1 }),
    // Never fire: disabled; a definition whose period before is partial.
    off: {
      enabled: false,
      trigger: { on: 'power_user_count_changed', min_percent: 1 },
      actions: webhook,
    },
    wide_count: {
      definition: 'wide',
      trigger: { on: 'power_user_count_changed', min_percent: 1 },
      actions: webhook,
    },
  },
});
const segments = resolveSegments(config.segments);
const rules = lifecycleRules(config.lifecycle);
const asOf = addDays(W3, 6);

const evaluate = async (playbooks = config.playbooks, cfg = config) =>
  (
    await evaluatePlaybooks(
      db.engine,
      { projectId: 'default', config: cfg, asOf, definition: 'default', rules, segments },
      playbooks,
    )
  ).occurrences;
const find = (occurrences: Occurrence[], playbook: string) => {
  const o = occurrences.find((x) => x.playbook === playbook);
  if (!o) throw new Error(`${playbook} did not fire`);
  return o;
};

let db: TempDb;
beforeAll(async () => {
  db = await openTempDb();
  await db.engine.insert('user_day', userDay());
  for (const name of ['default', 'wide']) {
    await runSnapshots(db.engine, {
      projectId: 'default',
      definition: resolveDefinition(config, { name }),
      catalogue: config.catalogue,
      segments,
      period: 'week',
      from: W1,
      asOf,
    });
  }
}, 60_000);
afterAll(async () => {
  await db.cleanup();
});

describe('project alerts', () => {
  it('fire exactly the planted alerts, once each, about the project in the latest week', async () => {
    const occurrences = await evaluate();
    expect(occurrences.map((o) => o.playbook)).toEqual([
      'count_down_15',
      'flow_25',
      'flow_3',
      'flow_new',
      'share_5',
      'top_7',
      'top_all_week',
    ]);
    for (const o of occurrences) {
      expect(o).toMatchObject({
        project_id: 'default',
        subject_type: 'project',
        subject_id: 'default',
        account_id: '',
        period_start: W3,
      });
      expect(o.data.period_before).toBe(W2);
    }
  });

  it('say what changed, from what to what, with the counts that explain it', async () => {
    const occurrences = await evaluate();
    const count = find(occurrences, 'count_down_15');
    expect(count.trigger).toBe('power_user_count_changed');
    expect(count.explanation).toBe(
      'power users fell from 12 to 10 (-16.7%) between the week of 2026-05-11 and the week of 2026-05-18: 3 lost, 1 new or back (threshold 15%)',
    );
    expect(count.data).toMatchObject({
      measure: 'power_users',
      before: 12,
      after: 10,
      change: -2,
      change_percent: -16.7,
      threshold: 15,
      changed: 'power_users: 12 → 10',
      lost: 3,
      gained: 1,
    });
    const share = find(occurrences, 'share_5');
    expect(share.explanation).toBe(
      "the power users' share of active users fell from 57.1% to 50% (-7.1 points) between the week of 2026-05-11 and the week of 2026-05-18: 12 of 21 active users, then 10 of 20; 3 lost, 1 new or back (threshold 5 points)",
    );
    expect(share.data).toMatchObject({
      before: 57.1,
      after: 50,
      change: -7.1,
      changed: 'power_user_share: 57.1% → 50%',
    });
    const top = find(occurrences, 'top_7');
    expect(top.explanation).toBe(
      'the top of the activity curve shrank: users active on 6 or more of the 7 days of the window fell from 42.9% to 35% of active users (-7.9 points) between the week of 2026-05-11 and the week of 2026-05-18: 9 of 21, then 7 of 20 (threshold 7 points)',
    );
    expect(top.data).toMatchObject({ top_days: 6, top_users_before: 9, top_users: 7 });
    expect(find(occurrences, 'top_all_week').data).toMatchObject({
      top_days: 7,
      before: 42.9,
      after: 30,
      change: -12.9,
      top_users: 6,
    });
    const lost = find(occurrences, 'flow_25');
    expect(lost.explanation).toBe(
      '3 users went from retained to lost between the week of 2026-05-11 and the week of 2026-05-18: 25% of the 12 retained the week before (threshold 25%)',
    );
    expect(lost.data).toMatchObject({
      measure: 'lifecycle_flow',
      before: 12,
      after: 3,
      change: 25,
      changed: 'retained → lost: 3 of 12',
      flows_from: ['retained → lost: 3', 'retained → retained: 9'],
    });
    expect(find(occurrences, 'flow_3').explanation).toMatch(/\(threshold 3 users\)$/);
    expect(find(occurrences, 'flow_new').explanation).toBe(
      '1 user went from none (in no state) to new between the week of 2026-05-11 and the week of 2026-05-18: 4.8% of the 21 users active the week before (threshold 1 user)',
    );
  });

  it('compare nothing while the period before is partial, though its count moved', async () => {
    const report = await lifecycleReport(db.engine, {
      projectId: 'default',
      definition: 'wide',
      period: 'week',
      rules,
      dialect: db.engine.dialect,
    });
    const [before, now] = report.periods.slice(-2);
    expect(before).toMatchObject({ period_start: W2, partial: true, power_users: 20 });
    expect(now).toMatchObject({ period_start: W3, partial: false, power_users: 21 });
    expect(await evaluate({ wide_count: config.playbooks.wide_count as never })).toEqual([]);
  });

  it('give stable ids from project, playbook, trigger, project and period; a second run records nothing', async () => {
    const first = await evaluate();
    expect((await evaluate()).map((o) => o.occurrence_id)).toEqual(
      first.map((o) => o.occurrence_id),
    );
    expect(find(first, 'flow_3').occurrence_id).toBe(
      createHash('sha256')
        .update(
          JSON.stringify(['default', 'flow_3', 'lifecycle_flow:retained>lost', 'default', W3]),
        )
        .digest('hex'),
    );
    const run = () =>
      runPlaybooks(db.engine, {
        projectId: 'default',
        config,
        asOf,
        now: new Date('2026-05-25T08:00:00Z'),
        env: {},
        random: () => 0.5,
        dispatch: false,
      });
    const once = await run();
    expect(once.recorded).toMatchObject({ recorded: 7, queued: 8 });
    expect(once.fired).toMatchObject({ count_down_15: 1, count_20: 0, wide_count: 0 });
    const twice = await run();
    expect(twice.recorded).toMatchObject({ recorded: 0, queued: 0, already: 7 });
  });

  it('refuse a top_days longer than the window, naming the playbook and the bound', async () => {
    const cfg = ConfigSchema.parse({
      ...config,
      playbooks: {
        too_long: {
          trigger: { on: 'curve_top_bucket_shrank', top_days: 8 },
          actions: webhook,
        },
      },
    });
    const refused = evaluate(cfg.playbooks, cfg);
    // A PlaybookError: the CLI prints it and the API answers 400, not an internal error.
    await expect(refused).rejects.toBeInstanceOf(PlaybookError);
    await expect(refused).rejects.toThrow(
      'playbook "too_long": top_days 8 is more than the 7 days of definition "default"\'s window',
    );
  });

  it('hold inclusive percent thresholds exactly, where floating point would miss them', () => {
    // 2.2 * 1500 is 3300.0000000000005: 33 of 1500 is 2.2% all the same.
    expect(atLeastPercent(33, 1500, 2.2)).toBe(true);
    expect(atLeastPercent(3, 12, 25)).toBe(true);
    expect(atLeastPercent(32, 1500, 2.2)).toBe(false);
    expect(atLeastPercent(2, 12, 25)).toBe(false);
  });

  it('take the top third of the day counts as the top bucket by default', () => {
    expect([30, 28, 14, 7, 3, 2, 1].map(defaultTopDays)).toEqual([21, 20, 11, 6, 3, 2, 1]);
  });

  it('read well in Slack: the change in the header line and the Changed field', async () => {
    const count = find(await evaluate(), 'count_down_15');
    const body = JSON.parse(
      slackBody(
        { url_env: 'SLACK_URL', channel: '#product', timeout_seconds: 10 },
        {
          occurrence: count,
          link: 'https://pl.example/#/overview',
          user: undefined,
          account: undefined,
        },
      ),
    );
    expect(body.text).toBe(`Power users moved: the project: ${count.explanation}`);
    expect(body.blocks[1].fields).toEqual([
      { type: 'mrkdwn', text: '*Changed*\npower_users: 12 → 10' },
    ]);
    expect(body.blocks[2].elements[0].url).toBe('https://pl.example/#/overview');
    expect(body.blocks[3].elements[0].text).toBe(
      'playbook count_down_15 · power_user_count_changed · period from 2026-05-18 · #product',
    );
  });
});

describe('docs/playbooks.md', () => {
  it('has a YAML example under Project alerts that the config schema accepts', () => {
    const parsed = docsExampleConfig('playbooks.md', 'Project alerts');
    expect(Object.values(parsed.playbooks).map((p) => p.trigger.on)).toEqual([
      'power_user_count_changed',
      'lifecycle_flow',
    ]);
  });
});
