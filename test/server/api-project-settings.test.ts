import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../../src/ingest/import/run-import.js';
import { parseConfigText } from '../../src/model/config.js';
import { createProject } from '../../src/projects/run-projects.js';
import { runRollup } from '../../src/rollup/run-rollup.js';
import { Sessions } from '../../src/server/api/sessions.js';
import { type ApiServer, startApiServer } from '../helpers/api-server.js';
import { demoProject } from '../helpers/demo-project.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/**
 * Definitions belong to a project: what one project's key writes changes that project's reports
 * and nobody else's. Both projects hold the same demo events, so their reports agree until one
 * of them changes its definition.
 */
let db: TempDb;
let server: ApiServer;
const keys = { acme: '', other: '' };

const call = async (key: string, method: 'GET' | 'PUT', url: string, body?: unknown) => {
  const r = await server.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return { status: r.statusCode, body: r.json() as Record<string, unknown> };
};
const powerUsers = async (key: string) => {
  const r = await call(key, 'GET', '/api/v1/report');
  expect(r.status).toBe(200);
  return (r.body.totals as { power_users: number }).power_users;
};

beforeAll(async () => {
  db = await openTempDb();
  keys.acme = (await demoProject(db, 5)).read_key;
  keys.other = (await createProject(db.engine, { name: 'Other', timeZone: 'UTC' })).read_key;
  await runImport(db.engine, {
    path: join(db.dir, 'events.csv'),
    projectId: 'other',
    timeZone: 'UTC',
    now: new Date('2026-11-24T00:00:00Z'),
  });
  await runRollup(db.engine, { projectId: 'other', timeZone: 'UTC', sessionGapMinutes: 30 });
  server = await startApiServer(db, '# shared defaults\nproject: acme\n', new Sessions());
}, 120_000);
afterAll(async () => {
  await server?.close();
  await db?.cleanup();
});

describe('per-project definitions', () => {
  it("one project's definition change leaves the other's report as it was", async () => {
    const before = { acme: await powerUsers(keys.acme), other: await powerUsers(keys.other) };
    expect(before.acme).toBe(before.other);
    expect(before.acme).toBeGreaterThan(0);
    const put = await call(keys.acme, 'PUT', '/api/v1/definitions/default', {
      window_days: 30,
      rule: { signal: 'days_active', min: 29 },
    });
    expect(put.status).toBe(200);
    expect(await powerUsers(keys.acme)).toBeLessThan(before.acme);
    expect(await powerUsers(keys.other)).toBe(before.other);
    const mine = await call(keys.acme, 'PUT', '/api/v1/definitions/acme_only', {
      window_days: 14,
      rule: { signal: 'days_active', min: 5 },
    });
    expect(mine.status).toBe(200);
    const theirs = await call(keys.other, 'GET', '/api/v1/definitions');
    const names = (theirs.body.definitions as { name: string }[]).map((d) => d.name);
    expect(names).not.toContain('acme_only');
    expect((await call(keys.other, 'GET', '/api/v1/definitions/acme_only')).status).toBe(404);
    expect((await call(keys.other, 'GET', '/api/v1/report?definition=acme_only')).status).toBe(404);
    // Saved under the project's own key, comments kept; the file reads back the same way.
    const text = readFileSync(server.configFile, 'utf8');
    expect(text).toContain('# shared defaults');
    const saved = parseConfigText(text, server.configFile);
    expect(Object.keys(saved.definitions)).toEqual([]);
    expect(Object.keys(saved.projects.acme?.definitions ?? {}).sort()).toEqual([
      'acme_only',
      'default',
    ]);
  });

  it('a project id that names an inherited property finds nothing', async () => {
    const config = parseConfigText('projects:\n  acme: {}\n', 'x.yaml');
    const { configForProject } = await import('../../src/model/config.js');
    expect(configForProject(config, 'constructor')).toBe(config);
    expect(configForProject(config, '__proto__')).toBe(config);
  });
});
