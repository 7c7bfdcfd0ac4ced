import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUsers } from '../../src/analysis/list-users.js';
import { resolveAsOf } from '../../src/analysis/resolve-as-of.js';
import { runImport } from '../../src/ingest/import/run-import.js';
import { runSnapshots } from '../../src/lifecycle/run-snapshots.js';
import { ConfigSchema } from '../../src/model/config.js';
import { resolveDefinition } from '../../src/model/resolve-definition.js';
import { resolveSegments } from '../../src/model/segments.js';
import { createProject } from '../../src/projects/run-projects.js';
import { runRollup } from '../../src/rollup/run-rollup.js';
import { Sessions } from '../../src/server/api/sessions.js';
import { type ApiServer, startApiServer } from '../helpers/api-server.js';
import { demoProject } from '../helpers/demo-project.js';
import { openApiValidator } from '../helpers/openapi-validator.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/**
 * The REST API on demo data, over a real Fastify server and a real DuckDB file: every endpoint,
 * the read key refused when missing, when a write key, and when another project's; validation
 * errors as problem+json; pagination; CSV; definitions written to the config file; and every
 * answer checked against the OpenAPI document the server publishes.
 */
let db: TempDb;
let app: FastifyInstance;
let server: ApiServer;
let keys: { a: string; aWrite: string; b: string };
let configFile: string;
let check: Awaited<ReturnType<typeof openApiValidator>>;
const sessions = new Sessions();

async function get(path: string, key: string | null = keys.a) {
  const r = await app.inject({
    method: 'GET',
    url: path,
    headers: key ? { authorization: `Bearer ${key}` } : {},
  });
  return r;
}

beforeAll(async () => {
  db = await openTempDb();
  const a = await demoProject(db, 7);
  const b = await createProject(db.engine, { name: 'Other', timeZone: 'UTC' });
  keys = { a: a.read_key, aWrite: a.write_key, b: b.read_key };
  // The other project has a little data of its own.
  await runImport(db.engine, {
    path: db.file(
      'other.csv',
      'timestamp,user_id,event\n2026-10-30T10:00:00Z,their-user,report_exported\n',
    ),
    projectId: 'other',
    timeZone: 'UTC',
    now: new Date('2026-11-24T00:00:00Z'),
  });
  await runRollup(db.engine, { projectId: 'other', timeZone: 'UTC', sessionGapMinutes: 30 });
  server = await startApiServer(db, '# the team config\nproject: acme\n', sessions);
  app = server.app;
  configFile = server.configFile;
  await app.ready();
  const doc = (await get('/api/v1/openapi.json', null)).json();
  check = await openApiValidator(doc);
}, 120_000);
afterAll(async () => {
  await server?.close();
  await db?.cleanup();
});

describe('REST API: access', () => {
  it('refuses a request without the read key, with a write key, and with a malformed header', async () => {
    for (const r of [
      await get('/api/v1/report', null),
      await get('/api/v1/report', keys.aWrite),
      await app.inject({ url: '/api/v1/report', headers: { authorization: keys.a } }),
    ]) {
      expect(r.statusCode).toBe(401);
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(r.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
    }
  });

  it("never shows one project's data with another project's key", async () => {
    const mine = (await get('/api/v1/users?limit=1')).json() as { users: { user_id: string }[] };
    const someone = mine.users[0]?.user_id as string;
    const other = await get(`/api/v1/users/${someone}`, keys.b);
    expect(other.statusCode).toBe(404);
    expect(other.json().detail).toContain('no user');
    const theirs = (await get('/api/v1/report', keys.b)).json();
    expect(theirs.project_id).toBe('other');
    expect(theirs.totals.users).toBe(1);
    const theirUsers = (await get('/api/v1/users', keys.b)).json();
    expect(theirUsers.users.map((u: { user_id: string }) => u.user_id)).toEqual(['their-user']);
  });
});

describe('REST API: the dashboard sign-in', () => {
  it('trades a one-time code for a session token, once', async () => {
    const code = sessions.issueCode('acme');
    const login = (c: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/login',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ code: c }),
      });
    const first = await login(code);
    expect(first.statusCode).toBe(200);
    const { token, project_id } = first.json();
    expect(project_id).toBe('acme');
    expect((await get('/api/v1/report', token)).json().project_id).toBe('acme');
    const again = await login(code);
    expect(again.statusCode).toBe(401);
    expect(again.json().detail).toContain('login link is used, expired or unknown');
    expect((await get('/api/v1/report', 'pl_s_made-up')).statusCode).toBe(401);
  });
});

describe('REST API: reading', () => {
  it('the report, matching the OpenAPI document', async () => {
    const r = await get('/api/v1/report');
    expect(r.statusCode).toBe(200);
    const report = r.json();
    check('/api/v1/report', 'get', 200, report);
    expect(report.totals.active_users).toBeGreaterThan(100);
    expect(report.curves.l30).toHaveLength(30);
    expect(report.segments.map((s: { segment: string }) => s.segment)).toEqual([
      'innovator',
      'advocate',
      'optimizer',
    ]);
    // 60 days of demo data to 2026-10-31: 9 of the 13 weeks at most, so the default definition's
    // "active_weeks >= 10" is out of reach, and the report says so.
    expect(report.history).toEqual({ first_day: '2026-09-02', days: 60 });
    expect(report.warnings).toEqual([
      {
        kind: 'history',
        criteria: ['consistency'],
        needs_days: 64,
        history_days: 60,
        message: expect.stringContaining('at most 9 weeks of 13 can be active'),
      },
    ]);
    const users = (await get('/api/v1/users?limit=1')).json();
    expect(users.warnings).toEqual(report.warnings);
  });

  it('users: filtered, sorted and paginated, as JSON and CSV', async () => {
    const page1 = (await get('/api/v1/users?sort=user_id&order=asc&limit=5')).json();
    const page2 = (await get('/api/v1/users?sort=user_id&order=asc&limit=5&offset=5')).json();
    check('/api/v1/users', 'get', 200, page1);
    expect(page1.users).toHaveLength(5);
    expect(page1.total).toBe(page2.total);
    const ids = [...page1.users, ...page2.users].map((u: { user_id: string }) => u.user_id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(10);
    const power = (await get('/api/v1/users?power=true&limit=1000')).json();
    expect(power.users.every((u: { is_power_user: boolean }) => u.is_power_user)).toBe(true);
    const report = (await get('/api/v1/report')).json();
    expect(power.total).toBe(report.totals.power_users);
    const csv = await get('/api/v1/users?power=true&format=csv');
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = parse(csv.body, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(power.total);
    expect(Object.keys(rows[0] ?? {}).slice(0, 4)).toEqual([
      'user_id',
      'account_id',
      'score',
      'is_power_user',
    ]);
    const found = (await get(`/api/v1/users?q=${ids[0]}`)).json();
    expect(found.users.map((u: { user_id: string }) => u.user_id)).toContain(ids[0]);
  });

  it('users: one order everywhere, best score first, ties by user_id, power users on top', async () => {
    type Listed = { user_id: string; score: number; is_power_user: boolean };
    const ids = (users: Listed[]) => users.map((u) => u.user_id);
    // The API's default (the dashboard's first page sorts by score, descending).
    const api = (await get('/api/v1/users?limit=1000')).json().users as Listed[];
    expect(api.length).toBeGreaterThan(100);
    // Sorted by score descending, then user_id ascending; the score agrees with the verdict.
    const sorted = [...api].sort(
      (a, b) => b.score - a.score || (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0),
    );
    expect(ids(api)).toEqual(ids(sorted));
    const powerScores = api.filter((u) => u.is_power_user).map((u) => u.score);
    const otherScores = api.filter((u) => !u.is_power_user).map((u) => u.score);
    expect(Math.min(...powerScores)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...otherScores)).toBeLessThan(50);
    expect(api.findIndex((u) => !u.is_power_user)).toBe(powerScores.length);
    // Ties happen (scores are in tenths): they are broken by id, ascending.
    expect(api.some((u, i) => i > 0 && api[i - 1]?.score === u.score)).toBe(true);
    // The dashboard's pages of 25, sorted by score descending, put together.
    const pages: Listed[] = [];
    for (let offset = 0; offset < api.length; offset += 25) {
      const page = await get(`/api/v1/users?sort=score&order=desc&limit=25&offset=${offset}`);
      pages.push(...(page.json().users as Listed[]));
    }
    expect(ids(pages)).toEqual(ids(api));
    // The CSV export (every user, sorted in JavaScript) and the users command (listUsers with no
    // sort: the ranked list in SQL).
    const csv = parse((await get('/api/v1/users?format=csv')).body, { columns: true }) as {
      user_id: string;
    }[];
    expect(csv.map((r) => r.user_id)).toEqual(ids(api));
    const config = ConfigSchema.parse({});
    const cli = await listUsers(db.engine, {
      projectId: 'acme',
      definition: resolveDefinition(config),
      asOf: await resolveAsOf(db.engine, 'acme', undefined),
    });
    expect(ids(cli.users)).toEqual(ids(api));
  });

  it('one user with the explanation and daily activity; an unknown user is a 404', async () => {
    const top = (await get('/api/v1/users?power=true&limit=1')).json().users[0];
    const r = await get(`/api/v1/users/${top.user_id}`);
    expect(r.statusCode).toBe(200);
    const user = r.json();
    check('/api/v1/users/{user_id}', 'get', 200, user);
    expect(user).toMatchObject({ user_id: top.user_id, is_power_user: true });
    expect(user.criteria.length).toBeGreaterThan(0);
    expect(user.activity.length).toBeGreaterThan(5);
    expect(user.activity[0]).toHaveProperty('day');
    const missing = await get('/api/v1/users/nobody-here');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().detail).toContain('no user "nobody-here"');
  });

  it('the catalogue', async () => {
    const r = await get('/api/v1/catalogue');
    expect(r.statusCode).toBe(200);
    expect(r.json().features.length).toBeGreaterThan(10);
  });

  it('says what is wrong with a parameter, and where', async () => {
    const r = await get('/api/v1/users?limit=0&as_of=2026-13');
    expect(r.statusCode).toBe(400);
    const p = r.json();
    check('/api/v1/users', 'get', 400, p);
    expect(p.errors.map((e: { path: string }) => e.path).sort()).toEqual(['as_of', 'limit']);
    const unknown = await get('/api/v1/report?definition=nope');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toContain('no definition "nope"');
  });
});

describe('REST API: definitions and what-if', () => {
  it('lists and reads definitions', async () => {
    const list = (await get('/api/v1/definitions')).json();
    check('/api/v1/definitions', 'get', 200, list);
    expect(list.definitions[0]).toMatchObject({ name: 'default', is_default: true });
    const one = (await get('/api/v1/definitions/default')).json();
    expect(one.definition).toHaveProperty('rule');
  });

  it('refuses an invalid definition with precise errors, saves a valid one into the config', async () => {
    const put = (body: unknown) =>
      app.inject({
        method: 'PUT',
        url: '/api/v1/definitions/frequent',
        headers: { authorization: `Bearer ${keys.a}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
    const bad = await put({ window_days: 30, rule: { signal: 'days_activ', min: 10 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toContainEqual({
      path: 'rule.signal',
      message: expect.stringContaining('did you mean days_active'),
    });
    const good = await put({ window_days: 30, rule: { signal: 'days_active', min: 10 } });
    expect(good.statusCode).toBe(200);
    // Saved, with a warning: one frequency criterion flags heavy-but-shallow users.
    expect(good.json().summary.warnings).toEqual([
      {
        kind: 'single_metric',
        criteria: ['days_active'],
        message: expect.stringContaining('heavy-but-shallow'),
      },
    ]);
    const listed = (await get('/api/v1/definitions')).json().definitions;
    expect(listed.find((d: { name: string }) => d.name === 'default').warnings).toEqual([]);
    const text = readFileSync(configFile, 'utf8');
    expect(text).toContain('# the team config');
    expect(text).toContain('frequent:');
    const report = (await get('/api/v1/report?definition=frequent')).json();
    expect(report.definition.name).toBe('frequent');
    expect(report.warnings.map((w: { kind: string }) => w.kind)).toEqual(['single_metric']);
    const malformed = await app.inject({
      method: 'PUT',
      url: '/api/v1/definitions/frequent',
      headers: { authorization: `Bearer ${keys.a}`, 'content-type': 'application/json' },
      payload: '{"window_days": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().title).toBe('Malformed JSON');
  });

  it('what-if: the new counts, and who enters and leaves', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/what-if',
      headers: { authorization: `Bearer ${keys.a}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ set: ['days_active.min=10'] }),
    });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    check('/api/v1/what-if', 'post', 200, body);
    expect(body.what_if.entering).toBeGreaterThan(0);
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/what-if',
      headers: { authorization: `Bearer ${keys.a}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ set: ['days_active.mni=10'] }),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('REST API: lifecycle and accounts', () => {
  it('lifecycle and the people in a state, once there are snapshots; accounts', async () => {
    const none = await get('/api/v1/lifecycle/people?state=retained');
    expect(none.statusCode).toBe(404);
    await runSnapshots(db.engine, {
      projectId: 'acme',
      definition: resolveDefinition(ConfigSchema.parse({})),
      catalogue: server.config().catalogue,
      segments: resolveSegments({}),
      period: 'week',
      from: '2026-09-07',
      asOf: await resolveAsOf(db.engine, 'acme', undefined, true),
    });
    const lc = (await get('/api/v1/lifecycle')).json();
    expect(lc.periods.length).toBe(8);
    const people = (await get('/api/v1/lifecycle/people?state=retained')).json();
    check('/api/v1/lifecycle/people', 'get', 200, people);
    expect(people.people.length).toBe(lc.periods.at(-1).states.retained);
    const accounts = (await get('/api/v1/accounts')).json();
    expect(accounts.accounts.length).toBeGreaterThan(10);
    const bad = await get('/api/v1/lifecycle/people?state=gone');
    expect(bad.statusCode).toBe(400);
  });
});

describe('REST API: the OpenAPI document', () => {
  it('is a valid OpenAPI 3 document listing every endpoint, and the docs are served', async () => {
    const doc = (await get('/api/v1/openapi.json', null)).json();
    await SwaggerParser.validate(structuredClone(doc));
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/v1/accounts',
      '/api/v1/catalogue',
      '/api/v1/definitions',
      '/api/v1/definitions/{name}',
      '/api/v1/failed-events',
      '/api/v1/lifecycle',
      '/api/v1/lifecycle/people',
      '/api/v1/login',
      '/api/v1/playbooks',
      '/api/v1/playbooks/deliveries',
      '/api/v1/playbooks/deliveries/{id}/retry',
      '/api/v1/playbooks/run',
      '/api/v1/playbooks/unsubscribe',
      '/api/v1/playbooks/{name}',
      '/api/v1/playbooks/{name}/preview',
      '/api/v1/playbooks/{name}/test',
      '/api/v1/report',
      '/api/v1/snapshots',
      '/api/v1/users',
      '/api/v1/users/{user_id}',
      '/api/v1/what-if',
    ]);
    const report = doc.paths['/api/v1/report'].get.responses['200'].content['application/json'];
    expect(Object.keys(report.schema.properties)).toContain('power_vs_everyone_else');
    // A tampered answer fails the check: the document really describes the answers.
    expect(() => check('/api/v1/report', 'get', 200, { totals: 'none' })).toThrow();
    const docs = await app.inject({ url: '/api/v1/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });
});
