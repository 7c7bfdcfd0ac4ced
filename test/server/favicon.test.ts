import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sessions } from '../../src/server/api/sessions.js';
import { registerDashboard } from '../../src/server/dashboard.js';
import { type ApiServer, startApiServer } from '../helpers/api-server.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/** Browsers ask for /favicon.ico on every page: it is answered, never a 404 in their console. */
function expectIcon(r: {
  statusCode: number;
  headers: Record<string, unknown>;
  rawPayload: Buffer;
}): void {
  expect(r.statusCode).toBe(200);
  expect(r.headers['content-type']).toBe('image/x-icon');
  expect(r.headers['cache-control']).toMatch(/max-age=\d+/);
  const ico = r.rawPayload;
  // ICONDIR: reserved 0, type 1 (icon), one image of 16x16 at 32 bits, its bytes all there.
  expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4)]).toEqual([0, 1, 1]);
  expect([ico[6], ico[7], ico.readUInt16LE(12)]).toEqual([16, 16, 32]);
  expect(ico.length).toBe(ico.readUInt32LE(18) + ico.readUInt32LE(14));
}

describe('GET /favicon.ico', () => {
  let db: TempDb;
  let server: ApiServer;
  beforeAll(async () => {
    db = await openTempDb();
    server = await startApiServer(db, '', new Sessions());
  });
  afterAll(async () => {
    await server.close();
    await db.cleanup();
  });

  it('answers with a small cacheable icon, without a key', async () => {
    expectIcon(await server.app.inject({ method: 'GET', url: '/favicon.ico' }));
  });

  it('answers whether or not the dashboard is built', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'powerlens-dashboard-'));
    try {
      const unbuilt = Fastify();
      registerDashboard(unbuilt, join(dir, 'missing'));
      expectIcon(await unbuilt.inject({ method: 'GET', url: '/favicon.ico' }));
      await unbuilt.close();

      writeFileSync(join(dir, 'index.html'), '<!doctype html><title>powerlens</title>');
      const built = Fastify();
      registerDashboard(built, dir);
      expectIcon(await built.inject({ method: 'GET', url: '/favicon.ico' }));
      expect((await built.inject({ method: 'GET', url: '/' })).statusCode).toBe(200);
      await built.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
