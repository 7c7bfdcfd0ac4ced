import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAsOf } from '../../src/analysis/resolve-as-of.js';
import type { Row } from '../../src/engines/engine.js';
import { runSnapshots } from '../../src/lifecycle/run-snapshots.js';
import { ConfigSchema } from '../../src/model/config.js';
import { lifecycleRules } from '../../src/model/lifecycle-config.js';
import { resolveDefinition } from '../../src/model/resolve-definition.js';
import { resolveSegments } from '../../src/model/segments.js';
import { evaluateTriggers } from '../../src/playbooks/triggers.js';
import { expectAllEqual } from '../helpers/conformance.js';
import { ENGINES, type EngineName, type OpenEngine, openEngine } from '../helpers/engines.js';

/**
 * Playbook triggers on every engine from the same rollups: the same occurrences (ids,
 * explanations, data) for every trigger kind and filter, in each week after the baseline.
 * 30 users whose days per week rise, fall or stay (as test/conformance/lifecycle.test.ts has
 * them), so every state and segment change turns up, and a fader at risk in W5; account a0 has
 * traits, the others none.
 */
const open = new Map<EngineName, OpenEngine>();
const WEEKS = ['2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23', '2026-03-30'];
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

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
  for (const [w, week] of WEEKS.entries()) {
    for (let u = 0; u < 30; u++) {
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
    // fader: 6 days of 10 events a week, then 4 days of 2 in W5: 8 events against a usual 60,
    // at risk in W5 (as in test/conformance/lifecycle.test.ts).
    const [days, events] = w < 4 ? [6, 10] : [4, 2];
    for (let d = 0; d < days; d++) push('fader', 'a0', addDays(week, d), events);
  }
  return rows;
}

const webhook = [{ webhook: { url: 'https://example.test/hook', secret_env: 'HOOK_SECRET' } }];
const config = ConfigSchema.parse({
  definitions: { default: { window_days: 7, rule: { signal: 'days_active', min: 4 } } },
  segments: {
    innovator: { enabled: false },
    advocate: { enabled: false },
    optimizer: { enabled: false },
    heavy: { rule: { signal: 'days_active', min: 6 } },
  },
  playbooks: {
    became: { trigger: { on: 'became_power_user' }, actions: webhook },
    stopped: { trigger: { on: 'stopped_power_user' }, actions: webhook },
    at_risk: { trigger: { on: 'entered_state', state: 'at_risk' }, actions: webhook },
    lost: { trigger: { on: 'entered_state', state: 'lost' }, actions: webhook },
    resurrected: { trigger: { on: 'entered_state', state: 'resurrected' }, actions: webhook },
    joined: { trigger: { on: 'joined_segment', segment: 'heavy' }, actions: webhook },
    left: { trigger: { on: 'left_segment', segment: 'heavy' }, actions: webhook },
    team_became: {
      trigger: { on: 'became_power_user' },
      filters: { account_traits: { plan: ['team'] }, score: { min: 76 } },
      actions: webhook,
    },
  },
});

beforeAll(async () => {
  const rows = userDay();
  for (const name of ENGINES) {
    const e = await openEngine(name);
    open.set(name, e);
    await e.engine.insert('user_day', rows);
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

describe.skipIf(ENGINES.length === 0)(`playbook triggers agree on ${ENGINES.join(' and ')}`, () => {
  it('fire the same occurrences in every week', async () => {
    const answers: unknown[] = [];
    for (const e of open.values()) {
      await runSnapshots(e.engine, {
        projectId: 'default',
        definition: resolveDefinition(config),
        catalogue: config.catalogue,
        segments: resolveSegments(config.segments),
        period: 'week',
        from: WEEKS[0],
        asOf: await resolveAsOf(e.engine, 'default', undefined, true),
      });
      const weeks = [];
      for (const week of WEEKS) {
        weeks.push(
          await evaluateTriggers(e.engine, {
            projectId: 'default',
            definition: 'default',
            period: 'week',
            rules: lifecycleRules(config.lifecycle),
            playbooks: config.playbooks,
            periodStart: week,
          }),
        );
      }
      answers.push(weeks);
    }
    const first = expectAllEqual(answers) as { playbook: string }[][];
    expect(first[0]).toEqual([]);
    const fired = new Set(first.flat().map((o) => o.playbook));
    expect([...fired].sort()).toEqual(Object.keys(config.playbooks).sort());
  });
});
