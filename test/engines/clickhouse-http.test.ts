import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COLLABORATION_LIKE,
  FEEDBACK_LIKE,
  LOGIN_LIKE,
  OPTIMIZATION_LIKE,
  VIEW_LIKE,
} from '../../src/analysis/catalogue-rules.js';
import { clickhouse } from '../../src/dialect/clickhouse.js';
import { duckdb } from '../../src/dialect/duckdb.js';
import { ClickHouseHttpEngine } from '../../src/engines/clickhouse/http-engine.js';
import { DuckDbEngine } from '../../src/engines/duckdb/duckdb-engine.js';
import type { Engine, Row } from '../../src/engines/engine.js';
import { CatalogueSchema } from '../../src/model/catalogue.js';
import { ConfigSchema } from '../../src/model/config.js';
import { resolveDefinition } from '../../src/model/resolve-definition.js';
import { compileScore } from '../../src/sql/compile-score.js';
import {
  type ClickHouseEndpoint,
  startClickHouseEndpoint,
} from '../helpers/clickhouse-http-endpoint.js';

/**
 * The ClickHouse engine over HTTP, through the real @clickhouse/client, against the real
 * ClickHouse engine (chDB) behind a loopback endpoint (test/helpers/clickhouse-http-endpoint.ts):
 * migrations, parameters of every type, inserts, errors, authentication, and a whole scoring
 * query giving what DuckDB gives.
 */
let dir: string;
let endpoint: ClickHouseEndpoint;
let ch: ClickHouseHttpEngine;
let duck: DuckDbEngine;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'powerlens-ch-http-'));
  endpoint = await startClickHouseEndpoint({ dataDir: join(dir, 'chdb'), password: 's3cret' });
  ch = await ClickHouseHttpEngine.open({ url: endpoint.url, password: 's3cret', database: 'pl' });
  duck = await DuckDbEngine.open({ path: join(dir, 'd.duckdb') });
  await duck.migrate();
}, 120_000);
afterAll(async () => {
  await ch?.close();
  await duck?.close();
  await endpoint?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the ClickHouse HTTP engine', () => {
  it('migrates once, then finds nothing to do', async () => {
    const first = await ch.migrate();
    expect(first.applied).toEqual(['clickhouse_schema']);
    expect((await ch.migrate()).applied).toEqual([]);
    const tables = await ch.query<{ name: string }>(
      "SELECT name FROM system.tables WHERE database = 'pl' AND name = 'events'",
    );
    expect(tables).toEqual([{ name: 'events' }]);
    expect(endpoint.requests).toBeGreaterThan(10);
  });

  it('binds parameters of every type as values, hostile text included', async () => {
    const hostile = "x'); DROP TABLE events; --\\";
    const [row] = await ch.query(
      `SELECT ${clickhouse.param('s', 'String')} AS s, ${clickhouse.param('n', 'Int64')} AS n,
        ${clickhouse.param('f', 'Float64')} AS f, ${clickhouse.param('b', 'Bool')} AS b,
        CAST(${clickhouse.param('d', 'Date')} AS String) AS d,
        ${clickhouse.param('at', 'DateTime')} AS at,
        ${clickhouse.param('days', 'Array(Date)')} AS days,
        ${clickhouse.param('names', 'Array(String)')} AS names`,
      {
        s: hostile,
        n: 42,
        f: 0.25,
        b: true,
        d: '2026-11-24',
        at: '2026-11-24T10:15:30.250Z',
        days: ['2026-11-23', '2026-11-24'],
        names: ["it's", 'b'],
      },
    );
    expect(row).toEqual({
      s: hostile,
      n: 42,
      f: 0.25,
      b: true,
      d: '2026-11-24',
      at: '2026-11-24T10:15:30.250Z',
      days: ['2026-11-23T00:00:00.000Z', '2026-11-24T00:00:00.000Z'],
      names: ["it's", 'b'],
    });
  });

  it('inserts rows and reads them back with their types', async () => {
    await ch.insert('user_day', [
      {
        project_id: 'p1',
        user_id: 'u1',
        anonymous: false,
        account_id: '',
        day: '2026-11-24',
        events: 3,
        sessions: 1,
        active_seconds: 60,
        first_seen: '2026-11-24 10:00:00',
        last_seen: '2026-11-24 10:01:00',
        session_seconds: [60],
      },
    ]);
    const rows = await ch.query(
      'SELECT user_id, anonymous, day, events, session_seconds FROM user_day',
    );
    expect(rows).toEqual([
      {
        user_id: 'u1',
        anonymous: false,
        day: '2026-11-24T00:00:00.000Z',
        events: 3,
        session_seconds: [60],
      },
    ]);
  });

  it('reports ClickHouse errors with their message', async () => {
    await expect(ch.query('SELECT * FROM no_such_table')).rejects.toThrow(/no_such_table/);
  });

  it('refuses a wrong password', async () => {
    await expect(
      ClickHouseHttpEngine.open({ url: endpoint.url, password: 'wrong', database: 'pl' }),
    ).rejects.toThrow(/Authentication failed|does not answer|516/);
  });

  it('scores users as DuckDB does', async () => {
    const rows: Row[] = [];
    for (let u = 0; u < 12; u++) {
      for (let back = 0; back < 30; back += 1 + (u % 4)) {
        const day = new Date(Date.parse('2026-11-24T00:00:00Z') - back * 86_400_000)
          .toISOString()
          .slice(0, 10);
        rows.push({
          project_id: 'p2',
          user_id: `u${u}`,
          anonymous: false,
          account_id: 'a',
          day,
          events: 1 + u,
          sessions: 1,
          active_seconds: 30 * u,
          first_seen: `${day} 10:00:00`,
          last_seen: `${day} 10:05:00`,
          session_seconds: [30 * u],
        });
      }
    }
    const events = rows.map((r) => ({
      project_id: r.project_id,
      user_id: r.user_id,
      anonymous: false,
      account_id: 'a',
      day: r.day,
      event: Number(String(r.user_id).slice(1)) % 2 ? 'report_exported' : 'invite_sent',
      events: r.events,
    }));
    const definition = resolveDefinition(
      ConfigSchema.parse({
        definitions: {
          x: {
            rule: {
              all: [
                { signal: 'days_active', min: 8 },
                { signal: 'events', top_percent: 50 },
              ],
            },
          },
        },
      }),
      { name: 'x' },
    );
    const answers: Row[][] = [];
    for (const [engine, dialect] of [
      [duck, duckdb],
      [ch, clickhouse],
    ] as [Engine, typeof duckdb][]) {
      await engine.insert('user_day', rows);
      await engine.insert('user_day_event', events);
      const { sql, params } = compileScore(definition, {
        projectId: 'p2',
        asOf: '2026-11-24',
        catalogue: CatalogueSchema.parse({}),
        loginPattern: LOGIN_LIKE,
        collaborationPattern: COLLABORATION_LIKE,
        feedbackPattern: FEEDBACK_LIKE,
        viewPattern: VIEW_LIKE,
        optimizationPattern: OPTIMIZATION_LIKE,
        dialect,
      });
      answers.push(
        await engine.query(
          `SELECT user_id, days_active, events, score, is_power_user FROM (${sql}) ORDER BY user_id`,
          params,
        ),
      );
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[0]?.some((r) => r.is_power_user === true)).toBe(true);
  });
});
