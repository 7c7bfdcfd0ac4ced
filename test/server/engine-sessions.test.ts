import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteEngine } from '../../src/engines/remote/remote-engine.js';
import { Collector } from '../../src/ingest/collector/collector.js';
import { createServer } from '../../src/server/create-server.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/**
 * The engine sessions the CLI uses while serve holds the database: the admin token only, one
 * session's statements in one turn (a transaction of the CLI commits or rolls back as on the
 * file), and a session the CLI abandons is rolled back and released after its idle time.
 */
let db: TempDb;
let collector: Collector;
let base: string;
let close: () => Promise<void>;
const token = 'pls_test-token-0123456789';

beforeAll(async () => {
  db = await openTempDb();
  collector = await Collector.start(db.engine, { logDir: `${db.dir}/log`, loadIntervalMs: 60_000 });
  const app = createServer({ collector, admin: { token, idleMs: 300 } });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  close = async () => {
    await app.close();
    await collector.close();
    await db.cleanup();
  };
});
afterAll(() => close());

describe('engine sessions', () => {
  it('let in the admin token only', async () => {
    await expect(RemoteEngine.open(base, 'pls_wrong')).rejects.toThrow(/not the admin token/);
    const r = await fetch(`${base}/admin/v1/engine/sessions`, { method: 'POST' });
    expect(r.status).toBe(401);
  });

  it("run a CLI's transactions as on the file: a failure rolls back, a success commits", async () => {
    const remote = await RemoteEngine.open(base, token);
    await remote.run('CREATE TABLE t (x INTEGER)');
    await expect(
      remote.transaction(async () => {
        await remote.run('INSERT INTO t VALUES (1)');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await remote.transaction(() => remote.run('INSERT INTO t VALUES (2)'));
    expect(await remote.query('SELECT x FROM t')).toEqual([{ x: 2 }]);
    await expect(remote.query('SELECT nope FROM t')).rejects.toThrow(/nope/);
    await remote.close();
    expect(await db.engine.query('SELECT x FROM t')).toEqual([{ x: 2 }]);
  });

  it('release an abandoned session, rolling back what it left open', async () => {
    const remote = await RemoteEngine.open(base, token);
    await remote.run('BEGIN TRANSACTION');
    await remote.run('INSERT INTO t VALUES (3)');
    // The server's own work waits for the session, then goes on once it is released.
    await collector.loadNow();
    expect(await db.engine.query('SELECT x FROM t ORDER BY x')).toEqual([{ x: 2 }]);
    await expect(remote.query('SELECT 1')).rejects.toThrow(/no such session/);
  });
});
