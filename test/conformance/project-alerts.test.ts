import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/engines/engine.js';
import { runSnapshots } from '../../src/lifecycle/run-snapshots.js';
import { ConfigSchema } from '../../src/model/config.js';
import { lifecycleRules } from '../../src/model/lifecycle-config.js';
import { resolveDefinition } from '../../src/model/resolve-definition.js';
import { resolveSegments } from '../../src/model/segments.js';
import { evaluatePlaybooks } from '../../src/playbooks/evaluate-playbooks.js';
import { compileCurveTop } from '../../src/sql/compile-curve-top.js';
import { expectAllEqual } from '../helpers/conformance.js';
import { ENGINES, type EngineName, type OpenEngine, openEngine } from '../helpers/engines.js';

/**
 * Project alerts on every engine from the same rollups: the same top-bucket counts
 * (compile-curve-top.ts) for each week and cut-off, and the same alerts (ids, explanations,
 * data) in the latest week. 30 users whose days per week rise, fall or stay (as
 * test/conformance/triggers.test.ts has them), so the totals move between weeks.
 */
const open = new Map<EngineName, OpenEngine>();
const WEEKS = ['2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23', '2026-03-30'];
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

function userDay(): Row[] {
  const rows: Row[] = [];
  for (const [w, week] of WEEKS.entries()) {
    for (let u = 0; u < 30; u++) {
      const days = Math.max(0, Math.min(7, ((u * 7 + w * (u % 5)) % 9) - 1));
      for (let d = 0; d < days; d++) {
        const day = addDays(week, d);
        rows.push({
          project_id: 'default',
          user_id: `u${String(u).padStart(2, '0')}`,
          anonymous: false,
          account_id: `a${u % 4}`,
          day,
          events: 1 + ((u + w * 3 + d) % 11),
          sessions: 1,
          active_seconds: 60,
          first_seen: `${day} 09:00:00`,
          last_seen: `${day} 10:00:00`,
          session_seconds: [60],
        });
      }
    }
  }
  return rows;
}

const webhook = [{ webhook: { url: 'https://example.test/hook', secret_env: 'HOOK_SECRET' } }];
const flows = ['none', 'new', 'retained', 'resurrected', 'at_risk', 'lost', 'emerging'] as const;
const config = ConfigSchema.parse({
  definitions: { default: { window_days: 7, rule: { signal: 'days_active', min: 4 } } },
  playbooks: {
    count: { trigger: { on: 'power_user_count_changed', min_percent: 0.1 }, actions: webhook },
    share: { trigger: { on: 'power_user_share_changed', min_points: 0.1 }, actions: webhook },
    top: { trigger: { on: 'curve_top_bucket_shrank', min_points: 0.1 }, actions: webhook },
    top_5: {
      trigger: { on: 'curve_top_bucket_shrank', min_points: 0.1, top_days: 5 },
      actions: webhook,
    },
    // Every flow between two states, so whichever moved fires.
    ...Object.fromEntries(
      flows.flatMap((from) =>
        flows
          .filter((to) => to !== from)
          .map((to) => [
            `flow_${from}_${to}`,
            { trigger: { on: 'lifecycle_flow', from, to, min_users: 1 }, actions: webhook },
          ]),
      ),
    ),
  },
});
const segments = resolveSegments(config.segments);

beforeAll(async () => {
  const rows = userDay();
  for (const name of ENGINES) {
    const e = await openEngine(name);
    open.set(name, e);
    await e.engine.insert('user_day', rows);
    await runSnapshots(e.engine, {
      projectId: 'default',
      definition: resolveDefinition(config),
      catalogue: config.catalogue,
      segments,
      period: 'week',
      from: WEEKS[0],
      asOf: addDays(WEEKS[4] as string, 6),
    });
  }
}, 120_000);
afterAll(async () => {
  for (const e of open.values()) await e.close();
});

describe.skipIf(ENGINES.length === 0)(`project alerts agree on ${ENGINES.join(' and ')}`, () => {
  it('count the same top bucket in every week, for every cut-off', async () => {
    const answers: unknown[] = [];
    for (const e of open.values()) {
      const rows = [];
      for (let w = 1; w < WEEKS.length; w++) {
        for (const top of [1, 4, 6, 7]) {
          const q = compileCurveTop(
            e.engine.dialect,
            { projectId: 'default', definition: 'default', period: 'week' },
            { now: WEEKS[w] as string, before: WEEKS[w - 1] as string },
            top,
          );
          const got = await e.engine.query<Record<string, unknown>>(q.sql, q.params);
          rows.push(
            got.map((r) => ({
              top,
              start: r.start,
              active_users: Number(r.active_users),
              top_users: Number(r.top_users),
            })),
          );
        }
      }
      answers.push(rows);
    }
    const first = expectAllEqual(answers) as { active_users: number; top_users: number }[][];
    // Two periods per query, and the cut-offs split the users differently.
    expect(first.every((r) => r.length === 2)).toBe(true);
    expect(new Set(first.flat().map((r) => r.top_users)).size).toBeGreaterThan(3);
  });

  it('fire the same alerts in the latest week', async () => {
    const answers: unknown[] = [];
    for (const e of open.values()) {
      answers.push(
        await evaluatePlaybooks(
          e.engine,
          {
            projectId: 'default',
            config,
            asOf: addDays(WEEKS[4] as string, 6),
            definition: 'default',
            rules: lifecycleRules(config.lifecycle),
            segments,
          },
          config.playbooks,
        ).then((r) => r.occurrences),
      );
    }
    const first = expectAllEqual(answers) as { playbook: string }[];
    const fired = first.map((o) => o.playbook);
    expect(fired.some((p) => p.startsWith('flow_'))).toBe(true);
    expect(fired.length).toBeGreaterThan(2);
  });
});
