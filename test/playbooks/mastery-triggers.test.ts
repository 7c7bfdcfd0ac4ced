import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../../src/ingest/import/run-import.js';
import { type Config, ConfigSchema } from '../../src/model/config.js';
import { triggerInWords } from '../../src/playbooks/list-playbooks.js';
import { evaluateMasteryTriggers } from '../../src/playbooks/mastery-triggers.js';
import type { Occurrence } from '../../src/playbooks/occurrence.js';
import { PlaybookError } from '../../src/playbooks/playbook-error.js';
import { previewPlaybook, runPlaybooks } from '../../src/playbooks/run-playbooks.js';
import { runRollup } from '../../src/rollup/run-rollup.js';
import { docsExampleConfig } from '../helpers/docs-example.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/*
 * mastered_feature on users worked out by hand (docs/playbooks.md, "Mastered a feature"). UTC.
 * The definition: a 30-day window, a power user is active on 8+ of its days; the segment heavy:
 * a power user active on 10+ days. Run 1 as of Sunday 2026-05-10 (window 04-11 .. 05-10, the
 * week of 05-04), run 2 as of Sunday 2026-05-17 (window 04-18 .. 05-17, the week of 05-11).
 * Uses of report_exported (days x uses a day), as of 05-10:
 *   bo   7 x 5 = 35  rank 1   (one day short of min_days 8)
 *   eve 10 x 2 = 20  rank 2   (on 05-10 itself: the window ends inclusive; heavy)
 *   fay  5 x 4 = 20  rank 2   (tied with eve at the cut-off: in)
 *   gil  4 x 4 = 16  rank 4   (just past the cut-off)
 *   ana  8 x 1 =  8           (exactly min_days 8)
 *   cy   7 x 1 =  7           (an 8th day on 04-10, one day before the window)
 *   late 7 x 1 =  7           (an 8th day on 05-11: in run 2's window only)
 *   hal  1 x 1 =  1
 * 8 users of the feature in the window, so top 25% is ceil(8 * 25 / 100) = 2: ranks 1 and 2.
 * ivy used report_exported on 8 days in March (before both windows) and report_viewed since:
 * not a user of the feature in the window. zed's one report_viewed on 05-17 brings the data there.
 * As of 05-17 the counts are the same, and late reaches 8 days.
 * Accounts: acct_team {plan: team}, acct_free {plan: free}; acct_none has no group call.
 */
const AS_OF_1 = '2026-05-10';
const AS_OF_2 = '2026-05-17';
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const run = (from: string, n: number, step = 1) =>
  Array.from({ length: n }, (_, i) => addDays(from, i * step));

/** Per user: account, and [event, days, uses a day] lines. */
const PLAN: Record<string, { account: string; uses: [string, string[], number][] }> = {
  bo: { account: 'acct_free', uses: [['report_exported', run('2026-04-20', 7), 5]] },
  eve: { account: 'acct_free', uses: [['report_exported', run('2026-05-01', 10), 2]] },
  fay: { account: 'acct_team', uses: [['report_exported', run('2026-04-21', 5, 3), 4]] },
  gil: { account: 'acct_none', uses: [['report_exported', run('2026-04-22', 4, 2), 4]] },
  ana: { account: 'acct_team', uses: [['report_exported', run('2026-04-20', 8, 2), 1]] },
  cy: {
    account: 'acct_team',
    uses: [['report_exported', ['2026-04-10', ...run('2026-04-25', 7)], 1]],
  },
  late: {
    account: 'acct_team',
    uses: [['report_exported', [...run('2026-04-27', 7, 2), '2026-05-11'], 1]],
  },
  hal: { account: 'acct_free', uses: [['report_exported', ['2026-05-05'], 1]] },
  ivy: {
    account: 'acct_team',
    uses: [
      ['report_exported', run('2026-03-02', 8), 3],
      ['report_viewed', run('2026-04-20', 9), 1],
    ],
  },
  zed: { account: 'acct_none', uses: [['report_viewed', ['2026-05-17'], 1]] },
};

function csv(): string {
  const lines = ['message_id,timestamp,user_id,account_id,event'];
  for (const [user, { account, uses }] of Object.entries(PLAN)) {
    for (const [event, days, perDay] of uses) {
      for (const day of days) {
        for (let k = 0; k < perDay; k++) {
          lines.push(
            `${user}-${event}-${day}-${k},${day}T10:${String(k).padStart(2, '0')}:00Z,${user},${account},${event}`,
          );
        }
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

const webhook = [{ webhook: { url: 'https://example.test/hook', secret_env: 'HOOK_SECRET' } }];
const mastered = (rule: Record<string, number>, feature = 'report_exported') => ({
  on: 'mastered_feature',
  feature,
  ...rule,
});
const configWith = (playbooks: Record<string, unknown>): Config =>
  ConfigSchema.parse({
    definitions: { default: { window_days: 30, rule: { signal: 'days_active', min: 8 } } },
    segments: {
      innovator: { enabled: false },
      advocate: { enabled: false },
      optimizer: { enabled: false },
      heavy: { rule: { signal: 'days_active', min: 10 } },
    },
    playbooks,
  });
const config = configWith({
  exporters: { trigger: mastered({ min_days: 8 }), actions: webhook },
  top_exporters: { trigger: mastered({ top_percent: 25 }), actions: webhook },
  team_exporters: {
    trigger: mastered({ min_days: 8 }),
    filters: { account_traits: { plan: ['team'] } },
    actions: webhook,
  },
  heavy_exporters: {
    trigger: mastered({ min_days: 8 }),
    filters: { segments: ['heavy'] },
    actions: webhook,
  },
  disabled: { enabled: false, trigger: mastered({ min_days: 1 }), actions: webhook },
});

const playbookRun = (asOf: string, c: Config = config) =>
  runPlaybooks(db.engine, {
    projectId: 'default',
    config: c,
    asOf,
    now: new Date(`${asOf}T23:00:00Z`),
    env: {},
    random: () => 0.5,
    dispatch: false,
  });
const recorded = async () =>
  (
    await db.engine.query<{ playbook: string; subject_id: string; period_start: string }>(
      `SELECT playbook, subject_id, strftime(period_start, '%Y-%m-%d') AS period_start
       FROM playbook_occurrences ORDER BY playbook, subject_id`,
    )
  ).map((r) => `${r.playbook}:${r.subject_id}@${r.period_start}`);
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
    now: new Date('2026-05-20T00:00:00Z'),
  });
  await db.engine.insert(
    'group_memberships',
    [
      ['acct_team', { plan: 'team' }],
      ['acct_free', { plan: 'free' }],
    ].map(([account_id, traits], i) => ({
      project_id: 'default',
      message_id: `g${i}`,
      timestamp: '2026-03-01 09:00:00',
      user_id: null,
      anonymous_id: null,
      account_id,
      traits: JSON.stringify(traits),
      received_at: '2026-03-01 09:00:00',
      source: 'test',
    })),
  );
  await runRollup(db.engine, { projectId: 'default', timeZone: 'UTC', sessionGapMinutes: 30 });
}, 60_000);
afterAll(async () => {
  await db.cleanup();
});

describe('mastered_feature', () => {
  it('records exactly the planted users once per playbook, and nothing new on a second run', async () => {
    const first = await playbookRun(AS_OF_1);
    expect(first.fired).toEqual({
      exporters: 2,
      top_exporters: 3,
      team_exporters: 1,
      heavy_exporters: 1,
    });
    expect(first.recorded).toMatchObject({ recorded: 7, already: 0 });
    const week1 = [
      'exporters:ana@2026-05-04',
      'exporters:eve@2026-05-04',
      'heavy_exporters:eve@2026-05-04',
      'team_exporters:ana@2026-05-04',
      'top_exporters:bo@2026-05-04',
      'top_exporters:eve@2026-05-04',
      'top_exporters:fay@2026-05-04',
    ];
    expect(await recorded()).toEqual(week1);

    const again = await playbookRun(AS_OF_1);
    expect(again.recorded).toMatchObject({ recorded: 0, already: 7 });
    expect(await recorded()).toEqual(week1);
  });

  it('say why with the numbers, and keep the id free of the period', async () => {
    const [ana] = await previewPlaybook(db.engine, {
      projectId: 'default',
      config,
      asOf: AS_OF_1,
      name: 'exporters',
    });
    expect(ana).toMatchObject({
      playbook: 'exporters',
      trigger: 'mastered_feature',
      subject_type: 'user',
      subject_id: 'ana',
      account_id: 'acct_team',
      period_start: '2026-05-04',
      explanation:
        'mastered report_exported in the week of 2026-05-04: used it on 8 distinct days of the 30-day window (rule: at least 8)',
      data: {
        feature: 'report_exported',
        days_used: 8,
        uses: 8,
        rule: 'at least 8 distinct days',
        segments: [],
        changed: 'mastered: report_exported',
      },
      already_recorded: true,
    });
    expect(ana?.data).not.toHaveProperty('rank');
    expect(ana?.occurrence_id).toBe(
      createHash('sha256')
        .update(JSON.stringify(['default', 'exporters', 'mastered_feature:report_exported', 'ana']))
        .digest('hex'),
    );

    const top = await previewPlaybook(db.engine, {
      projectId: 'default',
      config,
      asOf: AS_OF_1,
      name: 'top_exporters',
    });
    const fay = find(top, 'top_exporters', 'fay');
    expect(fay.explanation).toBe(
      'mastered report_exported in the week of 2026-05-04: 2nd of 8 users of report_exported (top 25%: 2) by uses in the 30-day window, with 20 uses on 5 distinct days',
    );
    expect(fay.data).toMatchObject({
      days_used: 5,
      uses: 20,
      rank: 2,
      users_of_feature: 8,
      rule: 'top 25% by uses',
    });
    expect(find(top, 'top_exporters', 'bo').explanation).toContain(
      ': 1st of 8 users of report_exported (top 25%: 2)',
    );
    // eve: a power user on 10 days, so in heavy and scored in the latest snapshot.
    const heavy = await previewPlaybook(db.engine, {
      projectId: 'default',
      config,
      asOf: AS_OF_1,
      name: 'heavy_exporters',
    });
    expect(heavy.map((o) => o.subject_id)).toEqual(['eve']);
    expect(heavy[0]?.data).toMatchObject({ segments: ['heavy'], account_id: 'acct_free' });
    expect(heavy[0]?.data.score).toBeGreaterThan(0);
  });

  it('fires once per user ever: a later week meeting the rule again records only the newcomer', async () => {
    // As of 05-17 ana, eve, bo and fay meet their rules again (same ids); late reaches 8 days.
    const later = await playbookRun(AS_OF_2);
    expect(later.recorded).toMatchObject({ recorded: 2, already: 7 });
    expect(await recorded()).toEqual(
      [
        'exporters:ana@2026-05-04',
        'exporters:eve@2026-05-04',
        'exporters:late@2026-05-11',
        'heavy_exporters:eve@2026-05-04',
        'team_exporters:ana@2026-05-04',
        'team_exporters:late@2026-05-11',
        'top_exporters:bo@2026-05-04',
        'top_exporters:eve@2026-05-04',
        'top_exporters:fay@2026-05-04',
      ].sort(),
    );
  });

  it('names the playbook, the feature and the nearest event names for an unknown feature', async () => {
    const typo = configWith({
      exporters: { trigger: mastered({ min_days: 8 }), actions: webhook },
      typo: { trigger: mastered({ min_days: 8 }, 'report_exportd'), actions: webhook },
    });
    const attempt = playbookRun(AS_OF_2, typo);
    await expect(attempt).rejects.toThrow(PlaybookError);
    await expect(attempt).rejects.toThrow(
      'playbook "typo": trigger.feature "report_exportd" is no event of project default (a feature here is an event name): the nearest are report_exported, report_viewed. Fix trigger.feature in the config (powerlens catalog lists the features and their events).',
    );
    // Nothing of the run was recorded.
    expect(await recorded()).toHaveLength(9);
  });

  it('says in words that it fires once per user', () => {
    expect(
      triggerInWords({ on: 'mastered_feature', feature: 'report_exported', min_days: 8 }),
    ).toBe(
      'a user masters report_exported: uses it on at least 8 distinct days in the window (fires once per user)',
    );
    expect(
      triggerInWords({ on: 'mastered_feature', feature: 'report_exported', top_percent: 10 }),
    ).toBe(
      'a user masters report_exported: among the top 10% of its users by uses in the window (fires once per user)',
    );
  });

  it('finds nothing for disabled playbooks or other triggers', async () => {
    expect(
      await evaluateMasteryTriggers(
        db.engine,
        { projectId: 'default', config, asOf: AS_OF_1, definition: 'default' },
        { disabled: config.playbooks.disabled as Config['playbooks'][string] },
      ),
    ).toEqual([]);
  });
});

describe('docs/playbooks.md', () => {
  it('has a YAML example under Mastered a feature that the config schema accepts', () => {
    const parsed = docsExampleConfig('playbooks.md', 'Mastered a feature');
    expect(Object.values(parsed.playbooks).map((p) => p.trigger.on)).toEqual([
      'mastered_feature',
      'mastered_feature',
    ]);
  });
});
