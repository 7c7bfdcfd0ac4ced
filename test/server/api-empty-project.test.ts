import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../../src/projects/run-projects.js';
import { Sessions } from '../../src/server/api/sessions.js';
import { type ApiServer, startApiServer } from '../helpers/api-server.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/** Empty is a state, not an error: a project without events answers 200 with empty results. */
let db: TempDb;
let server: ApiServer;
let key = '';

const call = async (method: 'GET' | 'POST', url: string, body?: unknown) => {
  const r = await server.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return { status: r.statusCode, body: r.json() as Record<string, unknown> };
};

beforeAll(async () => {
  db = await openTempDb();
  key = (await createProject(db.engine, { name: 'Fresh', timeZone: 'UTC' })).read_key;
  server = await startApiServer(db, 'project: fresh\n', new Sessions());
});
afterAll(async () => {
  await server?.close();
  await db?.cleanup();
});

describe('a project without events', () => {
  it('answers the report, users, accounts, catalogue and what-if with empty results', async () => {
    const report = await call('GET', '/api/v1/report');
    expect(report.status).toBe(200);
    expect(report.body.totals).toMatchObject({ events: 0, active_users: 0, power_users: 0 });
    expect(report.body.as_of).toBe(new Date().toISOString().slice(0, 10));
    const users = await call('GET', '/api/v1/users');
    expect(users.status).toBe(200);
    expect(users.body).toMatchObject({ total: 0, users: [] });
    const accounts = await call('GET', '/api/v1/accounts');
    expect(accounts.status).toBe(200);
    expect(accounts.body.accounts).toEqual([]);
    expect((await call('GET', '/api/v1/catalogue')).status).toBe(200);
    const whatIf = await call('POST', '/api/v1/what-if', { set: ['days_active.min=5'] });
    expect(whatIf.status).toBe(200);
    expect((await call('GET', '/api/v1/lifecycle')).status).toBe(200);
  });
});
