import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COLLABORATION_LIKE,
  FEEDBACK_LIKE,
  LOGIN_LIKE,
  OPTIMIZATION_LIKE,
  VIEW_LIKE,
} from '../../src/analysis/catalogue-rules.js';
import type { Row } from '../../src/engines/engine.js';
import { CatalogueSchema } from '../../src/model/catalogue.js';
import { compileCatalogueCtes } from '../../src/sql/compile-catalogue.js';
import { ENGINES, type EngineName, type OpenEngine, openEngine } from '../helpers/engines.js';

/**
 * The feature catalogue's SQL (inferred and configured features, globs, property features, tags,
 * login-like events, advanced by usage) on every engine over one fixture: the same answers.
 */
const open = new Map<EngineName, OpenEngine>();

const EVENTS = [
  'login',
  'signed_in',
  'report_exported',
  'report_export_pdf',
  'invite_sent',
  'share_link',
  'feedback_given',
  'dashboard_viewed',
  'auto_pilot_on',
  'rare_thing',
  'under_score',
  'under-score',
];

beforeAll(async () => {
  for (const name of ENGINES) {
    const e = await openEngine(name);
    open.set(name, e);
    await e.table('user_event', { user_id: 'String', event: 'String', n: 'Int64' });
    await e.table('user_prop_feature', { user_id: 'String', feature: 'String', n: 'Int64' });
    await e.table('active', { n: 'Int64' });
    const rows: Row[] = [];
    for (let u = 0; u < 20; u++) {
      EVENTS.forEach((event, k) => {
        // Fewer users for later events: some end up under the advanced share.
        if ((u * 7 + k) % (k + 1) === 0 || k < 4) {
          rows.push({ user_id: `u${u}`, event, n: 1 + ((u + k) % 5) });
        }
      });
    }
    await e.engine.insert('user_event', rows);
    await e.engine.insert('user_prop_feature', [
      { user_id: 'u1', feature: 'Big exports', n: 3 },
      { user_id: 'u2', feature: 'Big exports', n: 1 },
      { user_id: 'u3', feature: 'Reports', n: 2 },
    ]);
    await e.engine.insert('active', [{ n: 20 }]);
    // Every event from 2026-08-01 but two: auto_pilot_on shows up 40 days later and is used by
    // 8 users a day since (new), rare_thing 30 days later by 1 user in 10 days (not new).
    await e.table('event_history', {
      event: 'String',
      first_day: 'Date',
      user_days: 'Int64',
      days_seen: 'Int64',
    });
    await e.engine.insert(
      'event_history',
      EVENTS.map((event) =>
        event === 'auto_pilot_on'
          ? { event, first_day: '2026-09-10', user_days: 160, days_seen: 20 }
          : event === 'rare_thing'
            ? { event, first_day: '2026-08-31', user_days: 3, days_seen: 30 }
            : { event, first_day: '2026-08-01', user_days: 300, days_seen: 60 },
      ),
    );
  }
}, 120_000);
afterAll(async () => {
  for (const e of open.values()) await e.close();
});

const rich = (unlisted: 'infer' | 'ignore') =>
  CatalogueSchema.parse({
    unlisted_events: unlisted,
    advanced_below_percent: 30,
    features: [
      { name: 'Reports', events: ['report_export*'], tags: ['key_action'] },
      { name: 'Reports', events: 'dashboard_viewed' },
      {
        name: 'Big exports',
        events: 'report_exported',
        where: { format: 'pdf' },
        kind: 'advanced',
      },
      { name: 'Sign in', events: ['login', 'signed_in'], tags: ['login'] },
      { name: 'Autopilot', events: 'auto_pilot_*', released: '2026-11-01', kind: 'advanced' },
      { name: 'Underscore', events: 'under_score', tags: ['feedback'] },
    ],
  });

describe.skipIf(ENGINES.length === 0)(`the catalogue agrees on ${ENGINES.join(' and ')}`, () => {
  for (const catalogue of [CatalogueSchema.parse({}), rich('infer'), rich('ignore')]) {
    it(`${catalogue.features.length} configured features, unlisted events: ${catalogue.unlisted_events}`, async () => {
      const results: Row[][][] = [];
      for (const e of open.values()) {
        const { ctes, params } = compileCatalogueCtes(
          {
            catalogue,
            loginPattern: LOGIN_LIKE,
            collaborationPattern: COLLABORATION_LIKE,
            feedbackPattern: FEEDBACK_LIKE,
            viewPattern: VIEW_LIKE,
            optimizationPattern: OPTIMIZATION_LIKE,
          },
          e.dialect,
        );
        const q = (select: string) => e.engine.query(`WITH ${ctes} ${select}`, params);
        results.push([
          await q('SELECT * FROM feature_info ORDER BY feature'),
          await q('SELECT * FROM event_login ORDER BY event'),
          await q('SELECT * FROM event_feature ORDER BY event, feature'),
          await q('SELECT user_id, feature, n FROM user_feature ORDER BY user_id, feature'),
        ]);
      }
      const [first, ...rest] = results;
      for (const r of rest) expect(r).toEqual(first);
      const [info = [], login = []] = first ?? [];
      expect(info.length).toBeGreaterThan(3);
      expect(login.find((r) => r.event === 'signed_in')?.is_login).toBe(true);
      expect(login.find((r) => r.event === 'dashboard_viewed')?.is_view).toBe(true);
      expect(info.some((r) => r.is_advanced === true)).toBe(true);
      if (catalogue.features.length === 0) {
        // Inferred: auto_pilot_on is new (released on its first day), rare_thing is not.
        const released = info.filter((r) => r.released !== null).map((r) => r.feature);
        expect(released).toEqual(['auto_pilot_on']);
      }
    });
  }
});
