import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainUser } from '../../src/analysis/explain-user.js';
import { cachedAnalysis } from '../../src/analysis/report-cache.js';
import { runAnalysis } from '../../src/analysis/run-analysis.js';
import { runCatalogue } from '../../src/analysis/run-catalogue.js';
import type { Row } from '../../src/engines/engine.js';
import { ConfigSchema } from '../../src/model/config.js';
import { resolveDefinition } from '../../src/model/resolve-definition.js';
import { resolveSegments } from '../../src/model/segments.js';
import { runRollup } from '../../src/rollup/run-rollup.js';
import { expectAllEqual, roundNumbers } from '../helpers/conformance.js';
import { ENGINES, type EngineName, type OpenEngine, openEngine } from '../helpers/engines.js';

/**
 * The whole report (`powerlens analyze`), from the same events on every engine: totals, curves,
 * concentration, power users against everyone else, feature adoption, the top power users with
 * their reasons, and a what-if (issue 5).
 */
const open = new Map<EngineName, OpenEngine>();
const EVENTS = [
  'login',
  'report_exported',
  'dashboard_viewed',
  'invite_sent',
  'feedback_given',
  'automation_created',
  'template_used',
];

function events(): Row[] {
  const rows: Row[] = [];
  let n = 0;
  for (let u = 0; u < 40; u++) {
    const heavy = u % 5 === 0;
    for (let back = 0; back < 35; back++) {
      if (!heavy && (back + u) % (2 + (u % 6)) !== 0) continue;
      const day = new Date(Date.parse('2026-11-24T00:00:00Z') - back * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const count = heavy ? 6 + (u % 4) : 1 + (u % 3);
      for (let k = 0; k < count; k++) {
        n += 1;
        const event =
          EVENTS[(u + k * (heavy ? 1 : 3) + back) % (heavy ? EVENTS.length : 3)] ?? 'login';
        const ts = `${day} ${String(9 + (k % 8)).padStart(2, '0')}:${String((k * 7) % 60).padStart(2, '0')}:00.000`;
        rows.push({
          project_id: 'p1',
          message_id: `m${n}`,
          timestamp: ts,
          user_id: `u${String(u).padStart(2, '0')}`,
          anonymous_id: null,
          account_id: `acct-${u % 4}`,
          event,
          properties: '{}',
          received_at: ts,
          source: 'test',
          batch_id: 'b',
        });
      }
    }
  }
  return rows;
}

beforeAll(async () => {
  const rows = events();
  for (const name of ENGINES) {
    const e = await openEngine(name);
    open.set(name, e);
    await e.engine.insert('events', rows);
    await runRollup(e.engine, { projectId: 'p1', timeZone: 'UTC', sessionGapMinutes: 30 });
  }
}, 120_000);
afterAll(async () => {
  for (const e of open.values()) await e.close();
});

describe.skipIf(ENGINES.length === 0)(`the report agrees on ${ENGINES.join(' and ')}`, () => {
  it('the default definition, with a what-if on a lower bar', async () => {
    const config = ConfigSchema.parse({});
    const definition = resolveDefinition(config);
    const lower = resolveDefinition(config, { set: ['days_active.min=10'] });
    const reports: unknown[] = [];
    for (const e of open.values()) {
      reports.push(
        roundNumbers(
          await runAnalysis(e.engine, {
            projectId: 'p1',
            asOf: '2026-11-24',
            definition: lower,
            baseline: definition,
            catalogue: config.catalogue,
            segments: resolveSegments(config.segments),
          }),
        ),
      );
    }
    const first = expectAllEqual(reports);
    const report = first as {
      totals: { power_users: number; active_users: number };
      segments: { segment: string; power_users: number }[];
    };
    expect(report.totals.active_users).toBe(40);
    expect(report.totals.power_users).toBeGreaterThan(0);
    expect(report.segments.map((s) => s.segment)).toEqual(['innovator', 'advocate', 'optimizer']);
    expect(report.segments.some((s) => s.power_users > 0)).toBe(true);
  });
});

describe.skipIf(ENGINES.length === 0)(
  `explanations and the catalogue agree on ${ENGINES.join(' and ')}`,
  () => {
    it('explain for a power user and for someone else, the inferred catalogue, and the errors', async () => {
      const config = ConfigSchema.parse({});
      const definition = resolveDefinition(config);
      const answers: unknown[] = [];
      for (const e of open.values()) {
        const explain = (userId: string) =>
          explainUser(e.engine, { projectId: 'p1', userId, definition, asOf: '2026-11-24' });
        const missing = await explain('nobody').catch((err: Error) => err.message);
        answers.push(
          roundNumbers([
            await explain('u00'),
            await explain('u07'),
            missing,
            await runCatalogue(e.engine, {
              projectId: 'p1',
              asOf: '2026-11-24',
              windowDays: 30,
              catalogue: config.catalogue,
            }),
          ]),
        );
      }
      const [first, ...rest] = answers;
      for (const r of rest) expect(r).toEqual(first);
      expect((first as unknown[])[2]).toMatch(/no user "nobody"/);
    });
  },
);

describe.skipIf(ENGINES.length === 0)(`the report cache works on ${ENGINES.join(' and ')}`, () => {
  it('computes once, then answers the same report from the cache', async () => {
    const config = ConfigSchema.parse({});
    const definition = resolveDefinition(config);
    for (const e of open.values()) {
      const ask = () =>
        cachedAnalysis(e.engine, { projectId: 'p1', asOf: '2026-11-24', definition });
      const first = await ask();
      const second = await ask();
      expect(first.cache.hit).toBe(false);
      expect(second.cache.hit).toBe(true);
      expect(second.cache.computed_at).toBe(first.cache.computed_at);
      expect(second.report).toEqual(JSON.parse(JSON.stringify(first.report)));
    }
  });
});
