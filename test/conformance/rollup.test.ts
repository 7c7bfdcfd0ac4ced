import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/engines/engine.js';
import { CatalogueSchema } from '../../src/model/catalogue.js';
import { compileRollup, propertyFeatures, type RollupScope } from '../../src/sql/compile-rollup.js';
import { ENGINES, type EngineName, type OpenEngine, openEngine } from '../helpers/engines.js';

/**
 * The rollup from the same events on every engine: the same user_day, user_day_event and
 * user_day_feature rows, in several zones (across a DST change), for every day or for dirty days,
 * with linked ids and property features (issue 5).
 */
const open = new Map<EngineName, OpenEngine>();

function events(): Row[] {
  const rows: Row[] = [];
  let n = 0;
  const add = (
    ts: string,
    user: string | null,
    anon: string | null,
    event: string,
    props: Record<string, unknown> = {},
    account: string | null = 'acct-1',
  ) => {
    n += 1;
    rows.push({
      project_id: 'p1',
      message_id: `m${n}`,
      timestamp: ts,
      user_id: user,
      anonymous_id: anon,
      account_id: account,
      event,
      properties: JSON.stringify(props),
      received_at: ts,
      source: 'test',
      batch_id: 'b1',
    });
  };
  // Around the spring DST change in Europe (2026-03-29 01:00 UTC) and across midnight.
  for (const [h, m] of [
    [23, 10],
    [23, 40],
    [0, 5],
    [0, 20],
    [1, 30],
    [2, 45],
    [3, 0],
  ] as const) {
    const day = h >= 23 ? '2026-03-28' : '2026-03-29';
    add(
      `${day} ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00.000`,
      'u1',
      null,
      'report_exported',
      { format: 'pdf' },
    );
  }
  for (let d = 1; d <= 20; d++) {
    const day = `2026-03-${String(d).padStart(2, '0')}`;
    add(`${day} 10:00:00.000`, 'u2', null, 'login');
    add(`${day} 10:10:00.000`, 'u2', null, 'report_exported', {
      format: d % 2 ? 'csv' : 'pdf',
      meta: { size: d },
    });
    if (d % 3 === 0) add(`${day} 11:30:00.000`, 'u2', null, 'invite_sent', {}, 'acct-2');
    add(`${day} 20:00:00.000`, null, 'anon-9', 'page_viewed', {}, null);
  }
  // Fractional seconds: gaps of 10.7 s and 9.8 s make a session of 20.5 s, rounded to 21 on
  // every engine (a cast that truncates would say 20).
  add('2026-03-10 09:00:00.000', 'u4', null, 'login');
  add('2026-03-10 09:00:10.700', 'u4', null, 'report_exported');
  add('2026-03-10 09:00:20.500', 'u4', null, 'report_exported');
  add('2026-03-05 09:00:00.000', null, 'anon-1', 'page_viewed', {}, null);
  add('2026-03-05 09:20:00.000', 'u3', 'anon-1', 'signed_up');
  add('2026-03-06 09:00:00.000', 'old-u3', null, 'report_exported', {
    format: 'pdf',
    meta: { size: 5 },
  });
  return rows;
}

beforeAll(async () => {
  const rows = events();
  for (const name of ENGINES) {
    const e = await openEngine(name);
    open.set(name, e);
    await e.engine.insert('events', rows);
    await e.engine.insert('identity_map', [
      { project_id: 'p1', alias_id: 'anon-1', user_id: 'u3' },
      { project_id: 'p1', alias_id: 'old-u3', user_id: 'u3' },
    ]);
  }
}, 120_000);
afterAll(async () => {
  for (const e of open.values()) await e.close();
});

const FEATURES = propertyFeatures(
  CatalogueSchema.parse({
    features: [
      { name: 'PDF exports', events: 'report_*', where: { format: 'pdf' } },
      { name: 'Size five', events: 'report_exported', where: { 'meta.size': 5 } },
    ],
  }),
);

const sorted = (rows: Row[]) =>
  rows
    .map((r) => JSON.stringify(r))
    .sort()
    .map((r) => JSON.parse(r) as Row);

async function rollupOn(e: OpenEngine, timeZone: string, scope: RollupScope, identities: boolean) {
  for (const t of ['user_day', 'user_day_event', 'user_day_feature']) {
    await e.engine.run(`DELETE FROM ${t} WHERE project_id = 'p1'`);
  }
  // A day scope rebuilds from what is there: first every day, then the dirty ones again.
  const build = async (s: RollupScope) => {
    const st = compileRollup({
      projectId: 'p1',
      timeZone,
      sessionGapSeconds: 1800,
      scope: s,
      propertyFeatures: FEATURES,
      identities,
      dialect: e.dialect,
    });
    for (const sql of [st.deleteUserDay, st.deleteUserDayEvent, st.deleteUserDayFeature]) {
      await e.engine.run(sql, st.params);
    }
    for (const sql of [st.insertUserDay, st.insertUserDayEvent, st.insertUserDayFeature]) {
      if (sql) await e.engine.run(sql, st.params);
    }
  };
  await build({ kind: 'all' });
  if (scope.kind === 'days') await build(scope);
  const q = (sql: string) => e.engine.query(sql).then(sorted);
  return [
    await q(
      `SELECT user_id, anonymous, account_id, CAST(day AS VARCHAR) AS day, events, sessions,
        active_seconds, session_seconds FROM user_day`,
    ),
    await q(
      'SELECT user_id, anonymous, account_id, CAST(day AS VARCHAR) AS day, event, events FROM user_day_event',
    ),
    await q(
      'SELECT user_id, anonymous, account_id, CAST(day AS VARCHAR) AS day, feature, events FROM user_day_feature',
    ),
  ];
}

describe.skipIf(ENGINES.length === 0)(`the rollup agrees on ${ENGINES.join(' and ')}`, () => {
  for (const timeZone of ['UTC', 'Europe/Berlin', 'Pacific/Chatham']) {
    for (const scope of [
      { kind: 'all' },
      { kind: 'days', days: ['2026-03-28', '2026-03-29', '2026-03-05'] },
    ] as RollupScope[]) {
      for (const identities of [false, true]) {
        it(`${timeZone}, ${scope.kind === 'all' ? 'every day' : 'dirty days'}, ${identities ? 'linked ids' : 'no links'}`, async () => {
          const results = [];
          for (const e of open.values())
            results.push(await rollupOn(e, timeZone, scope, identities));
          const [first, ...rest] = results;
          for (const r of rest) expect(r).toEqual(first);
          const [userDay = [], , features = []] = first ?? [];
          expect(userDay.length).toBeGreaterThan(20);
          expect(features.length).toBeGreaterThan(5);
          if (identities) expect(userDay.some((r) => r.user_id === 'anon-1')).toBe(false);
          if (scope.kind === 'all') {
            const u4 = userDay.find((r) => r.user_id === 'u4');
            expect(u4).toMatchObject({ active_seconds: 21, session_seconds: [21] });
          }
        });
      }
    }
  }
});
