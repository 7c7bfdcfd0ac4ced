import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAsOf } from '../../src/analysis/resolve-as-of.js';
import type { Row } from '../../src/engines/engine.js';
import { runSnapshots } from '../../src/lifecycle/run-snapshots.js';
import { ConfigSchema } from '../../src/model/config.js';
import { resolveDefinition } from '../../src/model/resolve-definition.js';
import { resolveSegments } from '../../src/model/segments.js';
import { evaluateMasteryTriggers } from '../../src/playbooks/mastery-triggers.js';
import { PlaybookError } from '../../src/playbooks/playbook-error.js';
import { expectAllEqual } from '../helpers/conformance.js';
import { ENGINES, type EngineName, type OpenEngine, openEngine } from '../helpers/engines.js';

/**
 * mastered_feature on every engine from the same rollups: the same occurrences (ids,
 * explanations, data) for min_days and top_percent (a whole and a fractional percent, so the
 * cut-off's rounding is compared too) with each filter. 30 users over five weeks, each using
 * `export` on a pattern of days with a varying number of uses (so ranks tie), and `view` twice a
 * day; u07 has a second account on one day (its day counts once); an anonymous id with the most
 * exports of all, which no ranking may count. Account a0 has traits, the others none.
 */
const open = new Map<EngineName, OpenEngine>();
const FIRST = '2026-03-02';
const DAYS = 35;
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

function rollups(): { userDay: Row[]; userDayEvent: Row[] } {
  const userDay: Row[] = [];
  const userDayEvent: Row[] = [];
  const push = (user: string, account: string, day: string, exports: number, anonymous = false) => {
    userDay.push({
      project_id: 'default',
      user_id: user,
      anonymous,
      account_id: account,
      day,
      events: exports + 2,
      sessions: 1,
      active_seconds: 60,
      first_seen: `${day} 09:00:00`,
      last_seen: `${day} 10:00:00`,
      session_seconds: [60],
    });
    const base = { project_id: 'default', user_id: user, anonymous, account_id: account, day };
    if (exports > 0) userDayEvent.push({ ...base, event: 'export', events: exports });
    userDayEvent.push({ ...base, event: 'view', events: 2 });
  };
  for (let u = 0; u < 30; u++) {
    const user = `u${String(u).padStart(2, '0')}`;
    for (let d = 0; d < DAYS; d++) {
      if ((u * 7 + d * 3) % 10 >= u % 10) continue;
      push(user, `a${u % 4}`, addDays(FIRST, d), (u + d) % 4);
    }
  }
  push('u07', 'a9', addDays(FIRST, DAYS - 3), 1);
  for (let d = DAYS - 14; d < DAYS; d++) push('anon-1', '', addDays(FIRST, d), 50, true);
  return { userDay, userDayEvent };
}

const webhook = [{ webhook: { url: 'https://example.test/hook', secret_env: 'HOOK_SECRET' } }];
const mastered = (rule: Record<string, number>) => ({
  on: 'mastered_feature',
  feature: 'export',
  ...rule,
});
const config = ConfigSchema.parse({
  definitions: { default: { window_days: 14, rule: { signal: 'days_active', min: 6 } } },
  segments: {
    innovator: { enabled: false },
    advocate: { enabled: false },
    optimizer: { enabled: false },
    heavy: { rule: { signal: 'days_active', min: 9 } },
  },
  playbooks: {
    days: { trigger: mastered({ min_days: 6 }), actions: webhook },
    top10: { trigger: mastered({ top_percent: 10 }), actions: webhook },
    top12_5: { trigger: mastered({ top_percent: 12.5 }), actions: webhook },
    team: {
      trigger: mastered({ min_days: 3 }),
      filters: { account_traits: { plan: ['team'] }, score: { min: 50 } },
      actions: webhook,
    },
    heavy: {
      trigger: mastered({ min_days: 3 }),
      filters: { segments: ['heavy'] },
      actions: webhook,
    },
  },
});

beforeAll(async () => {
  const { userDay, userDayEvent } = rollups();
  for (const name of ENGINES) {
    const e = await openEngine(name);
    open.set(name, e);
    await e.engine.insert('user_day', userDay);
    await e.engine.insert('user_day_event', userDayEvent);
    await e.engine.insert('group_memberships', [
      {
        project_id: 'default',
        message_id: 'g1',
        timestamp: '2026-03-01 09:00:00.000',
        user_id: null,
        anonymous_id: null,
        account_id: 'a0',
        traits: JSON.stringify({ plan: 'team' }),
        received_at: '2026-03-01 09:00:00.000',
        source: 'test',
      },
    ]);
  }
}, 120_000);
afterAll(async () => {
  for (const e of open.values()) await e.close();
});

describe.skipIf(ENGINES.length === 0)(`mastered_feature agrees on ${ENGINES.join(' and ')}`, () => {
  it('fires the same occurrences, with the same numbers, on every engine', async () => {
    const answers: unknown[] = [];
    for (const e of open.values()) {
      const asOf = await resolveAsOf(e.engine, 'default', undefined, true);
      await runSnapshots(e.engine, {
        projectId: 'default',
        definition: resolveDefinition(config),
        catalogue: config.catalogue,
        segments: resolveSegments(config.segments),
        period: 'week',
        from: FIRST,
        asOf,
      });
      answers.push(
        await evaluateMasteryTriggers(
          e.engine,
          { projectId: 'default', config, asOf, definition: 'default' },
          config.playbooks,
        ),
      );
    }
    const first = expectAllEqual(answers) as {
      playbook: string;
      subject_id: string;
      data: Record<string, unknown>;
    }[];
    // Every playbook fires for someone, so the engines agree on something, never on nothing.
    expect([...new Set(first.map((o) => o.playbook))].sort()).toEqual(
      Object.keys(config.playbooks).sort(),
    );
    expect(first.some((o) => o.subject_id === 'anon-1')).toBe(false);
    const top = (p: string) => first.filter((o) => o.playbook === p);
    // The cut-off is ceil(n * P / 100); ties at it are in, so at least that many fire.
    for (const [p, percent] of [
      ['top10', 10],
      ['top12_5', 12.5],
    ] as const) {
      const n = Number(top(p)[0]?.data.users_of_feature);
      expect(top(p).length).toBeGreaterThanOrEqual(Math.ceil((n * percent) / 100));
      for (const o of top(p))
        expect(Number(o.data.rank)).toBeLessThanOrEqual(Math.ceil((n * percent) / 100));
    }
  });

  it('refuses a feature no event carries on every engine', async () => {
    for (const e of open.values()) {
      await expect(
        evaluateMasteryTriggers(
          e.engine,
          { projectId: 'default', config, asOf: addDays(FIRST, DAYS - 1), definition: 'default' },
          {
            typo: {
              ...config.playbooks.days,
              trigger: { on: 'mastered_feature', feature: 'exprt', min_days: 1 },
            } as (typeof config.playbooks)[string],
          },
        ),
      ).rejects.toThrow(
        new PlaybookError(
          'playbook "typo": trigger.feature "exprt" is no event of project default (a feature here is an event name): the nearest are export, view. Fix trigger.feature in the config (powerlens catalog lists the features and their events).',
        ),
      );
    }
  });
});
