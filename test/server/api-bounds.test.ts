import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSnapshots } from '../../src/lifecycle/run-snapshots.js';
import { resolveDefinition } from '../../src/model/resolve-definition.js';
import { resolveSegments } from '../../src/model/segments.js';
import { Sessions } from '../../src/server/api/sessions.js';
import { type ApiServer, startApiServer } from '../helpers/api-server.js';
import { demoProject } from '../helpers/demo-project.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/**
 * No request can occupy the server unboundedly: dates at the edges of the calendar and beyond the
 * data are refused at once, reads never store periods beyond the data, and a request that needs
 * the database longer than its limit is stopped without harm to the next one. The demo project's
 * data runs to 2026-10-31.
 */
let db: TempDb;
let server: ApiServer;
let key: string;

const get = async (path: string) => {
  const r = await server.app.inject({
    method: 'GET',
    url: path,
    headers: { authorization: `Bearer ${key}` },
  });
  return { status: r.statusCode, body: r.json() as Record<string, unknown> };
};

beforeAll(async () => {
  db = await openTempDb();
  key = (await demoProject(db, 11)).read_key;
  server = await startApiServer(db, 'project: acme\n', new Sessions());
}, 120_000);
afterAll(async () => {
  await server?.close();
  await db?.cleanup();
});

describe('dates at the edges', () => {
  const cases = [
    '/api/v1/accounts?as_of=9999-12-31',
    '/api/v1/accounts?as_of=0000-01-01',
    '/api/v1/accounts?period=day&as_of=2035-12-31',
    '/api/v1/accounts?as_of=2026-11-30',
    '/api/v1/report?as_of=2300-01-01',
    '/api/v1/users?as_of=1969-12-31',
    '/api/v1/lifecycle/people?state=new&period=day&at=2026-02-29',
    '/api/v1/lifecycle/people?state=new&period=day&at=2026-13-01',
  ];
  it.each(cases)('%s is refused with a 400 that says what to send', async (path) => {
    const r = await get(path);
    expect(r.status).toBe(400);
    expect(String(r.body.detail)).toMatch(/YYYY-MM-DD|day with data/);
  });

  it('stores no period beyond the data, and plain reads work afterwards', async () => {
    for (const path of cases) await get(path);
    const [beyond] = await db.engine.query<{ n: number }>(
      "SELECT count(*) AS n FROM user_snapshots WHERE period_start > DATE '2026-10-31'",
    );
    expect(Number(beyond?.n)).toBe(0);
    const accounts = await get('/api/v1/accounts');
    expect(accounts.status).toBe(200);
    expect(accounts.body.as_of).toBe('2026-10-31');
    const lifecycle = await get('/api/v1/lifecycle');
    expect(lifecycle.status).toBe(200);
    const periods = lifecycle.body.periods as { power_users: number }[];
    expect(periods.at(-1)?.power_users).toBeGreaterThan(0);
  });

  it('refuses to catch up more periods than a request computes, saying how to catch up', async () => {
    const base = {
      projectId: 'acme',
      definition: resolveDefinition(server.config(), {}),
      segments: resolveSegments({}),
      period: 'day' as const,
    };
    await runSnapshots(db.engine, { ...base, from: '2026-09-10', asOf: '2026-09-10' });
    await expect(
      runSnapshots(db.engine, { ...base, asOf: '2026-10-31', maxPeriods: 30 }),
    ).rejects.toThrow(/52 days of snapshots are missing .*powerlens snapshot/);
    const [days] = await db.engine.query<{ n: number }>(
      "SELECT count(DISTINCT period_start) AS n FROM user_snapshots WHERE period = 'day'",
    );
    expect(Number(days?.n)).toBe(1);
  });
});

describe('a request over its time limit', () => {
  it('is stopped with a 503 that says why, and the next request is served', async () => {
    const config = server.config();
    config.api.request_timeout_seconds = 0.001;
    const r = await get('/api/v1/report?window=90');
    config.api.request_timeout_seconds = 120;
    expect(r.status).toBe(503);
    expect(String(r.body.detail)).toMatch(/more than .* s of the database/);
    const health = await server.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    const again = await get('/api/v1/report');
    expect(again.status).toBe(200);
  });
});
