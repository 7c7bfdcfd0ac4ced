import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../../src/projects/run-projects.js';
import { Sessions } from '../../src/server/api/sessions.js';
import { type ApiServer, startApiServer } from '../helpers/api-server.js';
import { demoProject } from '../helpers/demo-project.js';
import { openApiValidator } from '../helpers/openapi-validator.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/**
 * Every answer of the REST API is sent through its route's zod schema (fastify-type-provider-zod
 * serializes with it), and a schema narrower than what the route returns silently drops fields.
 * Here each route is called on demo data with traits, snapshots, a composite definition, a
 * rejected message and an empty project, and what the route returned (caught before
 * serialization) must equal what was sent, and match the OpenAPI document. The document itself
 * must describe every answer: nothing free-form but the traits people send.
 */
let db: TempDb;
let app: FastifyInstance;
let server: ApiServer;
let key = '';
let emptyKey = '';
let returned: unknown;
let check: Awaited<ReturnType<typeof openApiValidator>>;
let doc: OpenApiDoc;
const sessions = new Sessions();

interface OpenApiDoc {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
  >;
  components?: { schemas?: Record<string, unknown> };
}

const CONFIG = `project: acme
definitions:
  composite:
    description: Busy and deep
    window_days: 28
    score:
      weights: { days_active: 2, key_actions: 1 }
      cutoff: { top_percent: 20 }
`;

beforeAll(async () => {
  db = await openTempDb();
  key = (await demoProject(db, 11)).read_key;
  emptyKey = (await createProject(db.engine, { name: 'Fresh', timeZone: 'UTC' })).read_key;
  server = await startApiServer(db, CONFIG, sessions);
  app = server.app;
  app.addHook('preSerialization', async (_req, _reply, payload) => {
    returned = payload;
    return payload;
  });
  await app.ready();
  doc = (await app.inject({ url: '/api/v1/openapi.json' })).json();
  check = await openApiValidator(doc);
}, 120_000);
afterAll(async () => {
  await server?.close();
  await db?.cleanup();
});

/**
 * Calls a route, and checks that the answer is what the route returned, field for field (as
 * JSON: an undefined field is no field), and that it matches the OpenAPI document.
 */
async function answer(
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  body?: unknown,
  readKey = key,
): Promise<Record<string, unknown>> {
  returned = undefined;
  const r = await app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: `Bearer ${readKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  expect({ url, status: r.statusCode }).toEqual({ url, status: 200 });
  const sent = r.json();
  expect(sent, `${method} ${url}: the schema dropped or changed a field`).toEqual(
    JSON.parse(JSON.stringify(returned)),
  );
  const path = `/api/v1${url.split('?')[0]}`.replace(/\/users\/[^/]+$/, '/users/{user_id}');
  check(
    path.replace(/\/definitions\/[^/]+$/, '/definitions/{name}'),
    method.toLowerCase(),
    200,
    sent,
  );
  return sent;
}

describe('every answer is what its route returned, and what the document says', () => {
  it('the report and the users, with traits', async () => {
    const page = (await answer('GET', '/users?power=true&limit=20')) as {
      users: { user_id: string; account_id: string }[];
    };
    const user = page.users.find((u) => u.account_id !== '');
    if (!user) throw new Error('the demo has no power user in an account');
    const at = '2026-10-01T10:00:00Z';
    await db.engine.insert('identifies', [
      {
        project_id: 'acme',
        message_id: 'i1',
        timestamp: at,
        user_id: user.user_id,
        anonymous_id: null,
        traits: JSON.stringify({
          email: 'ada@acme.test',
          name: 'Ada',
          tags: ['a', 1],
          x: { y: 2 },
        }),
        received_at: at,
        source: 'test',
      },
    ]);
    await db.engine.insert('group_memberships', [
      {
        project_id: 'acme',
        message_id: 'g1',
        timestamp: at,
        user_id: user.user_id,
        anonymous_id: null,
        account_id: user.account_id,
        traits: JSON.stringify({ name: 'Acme Inc', plan: 'Pro', seats: 40, mrr: 4200, csm: 'Bo' }),
        received_at: at,
        source: 'test',
      },
    ]);
    const first = await answer('GET', '/report');
    const again = await answer('GET', '/report');
    expect(again.cache).toMatchObject({ hit: true });
    expect({ ...again, cache: first.cache }).toEqual(first);
    await answer('GET', '/report?definition=composite');
    await answer('GET', '/report?window=7&as_of=2026-10-20');
    await answer('GET', '/users?limit=5&sort=days_active');
    await answer('GET', '/users?segment=innovator&limit=5');
    await answer('GET', `/users?q=${encodeURIComponent(user.user_id)}`);
    await answer('GET', '/users?definition=composite&limit=5');
    const explained = await answer('GET', `/users/${encodeURIComponent(user.user_id)}`);
    expect(explained).toMatchObject({
      email: 'ada@acme.test',
      traits: { tags: ['a', 1], x: { y: 2 } },
      account: { name: 'Acme Inc', seats: 40, csm: 'Bo', traits: { plan: 'Pro' } },
    });
    await answer('GET', `/users/${encodeURIComponent(user.user_id)}?definition=composite`);
    const other = page.users.find((u) => u.user_id !== user.user_id);
    if (other) await answer('GET', `/users/${encodeURIComponent(other.user_id)}`);
    await answer('GET', '/catalogue');
    await answer('GET', '/catalogue?window=7');
  });

  it('definitions and the what-if', async () => {
    await answer('GET', '/definitions');
    await answer('GET', '/definitions/default');
    await answer('GET', '/definitions/composite');
    await answer('PUT', '/definitions/frequent', {
      window_days: 30,
      rule: {
        any: [
          { signal: 'days_active', min: 10 },
          { signal: 'key_actions', top_percent: 5 },
        ],
      },
    });
    await answer('GET', '/definitions/frequent');
    await answer('POST', '/what-if', { set: ['days_active.min=10'] });
    await answer('POST', '/what-if', { definition: 'composite', set: ['cutoff.top_percent=10'] });
  });

  it('snapshots, lifecycle, accounts, rejected messages, and an empty project', async () => {
    await answer('POST', '/snapshots', { from: '2026-09-07', period: 'week' });
    await answer('GET', '/snapshots?period=week');
    await answer('GET', '/lifecycle?period=week');
    for (const state of ['new', 'retained', 'resurrected', 'at_risk', 'lost', 'emerging']) {
      await answer('GET', `/lifecycle/people?period=week&state=${state}`);
    }
    const accounts = (await answer('GET', '/accounts?period=week')) as {
      accounts: { name?: string; signals: unknown[] }[];
    };
    expect(accounts.accounts.some((a) => a.name === 'Acme Inc')).toBe(true);
    expect(accounts.accounts.some((a) => a.signals.length > 0)).toBe(true);
    await answer('GET', '/accounts?period=week&at_risk=true');
    await answer('GET', '/accounts?period=week&expansion=true');
    await db.engine.run(
      `INSERT INTO failed_events (project_id, source, source_line, reason, raw)
       VALUES ('acme', 'segment', NULL, 'no user id', '{"event":"x"}'),
              ('acme', 'events.csv', 7, 'bad timestamp', NULL)`,
    );
    await answer('GET', '/failed-events');
    await answer('GET', '/report', undefined, emptyKey);
    await answer('GET', '/accounts', undefined, emptyKey);
    await answer('GET', '/lifecycle', undefined, emptyKey);
    await answer('GET', '/snapshots', undefined, emptyKey);
    await answer('GET', '/catalogue', undefined, emptyKey);
    await answer('POST', '/what-if', { set: ['days_active.min=5'] }, emptyKey);
    returned = undefined;
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ code: sessions.issueCode('acme') }),
    });
    expect(login.json()).toEqual(returned);
  });
});

/** The places in a JSON schema that say nothing of their content: any value, any object. */
function freeForm(schema: unknown, at: string, out: string[]): string[] {
  if (!schema || typeof schema !== 'object') return out;
  const s = schema as Record<string, unknown>;
  const keys = Object.keys(s).filter((k) => !['description', 'nullable', 'default'].includes(k));
  if (keys.length === 0) out.push(at);
  if (
    s.type === 'object' &&
    !s.properties &&
    (!s.additionalProperties || s.additionalProperties === true)
  ) {
    out.push(at);
  }
  if (s.additionalProperties === true) out.push(`${at}{}`);
  const add = s.additionalProperties;
  if (add && typeof add === 'object') freeForm(add, `${at}{}`, out);
  for (const [name, sub] of Object.entries((s.properties as Record<string, unknown>) ?? {})) {
    freeForm(sub, `${at}.${name}`, out);
  }
  if (s.items) freeForm(s.items, `${at}[]`, out);
  for (const k of ['anyOf', 'oneOf', 'allOf']) {
    for (const [i, sub] of ((s[k] as unknown[]) ?? []).entries()) freeForm(sub, `${at}|${i}`, out);
  }
  return out;
}

describe('the OpenAPI document', () => {
  it('describes every answer: nothing free-form but the traits people send', () => {
    const found: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(op.responses)) {
          for (const [type, { schema }] of Object.entries(response.content ?? {})) {
            freeForm(schema, `${method} ${path} ${status} ${type}`, found);
          }
        }
      }
    }
    for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
      freeForm(schema, `component ${name}`, found);
    }
    expect(found).toEqual([
      'get /api/v1/users/{user_id} 200 application/json.traits{}',
      'get /api/v1/users/{user_id} 200 application/json.account.traits{}',
    ]);
  });
});
