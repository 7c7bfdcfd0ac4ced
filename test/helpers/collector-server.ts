import { Collector, type CollectorOptions } from '../../src/ingest/collector/collector.js';
import type { CollectorLimits } from '../../src/model/collector-config.js';
import { createProject } from '../../src/projects/run-projects.js';
import { createServer } from '../../src/server/create-server.js';
import { openTempDb, type TempDb } from './temp-db.js';

export interface CollectorServer {
  db: TempDb;
  collector: Collector;
  /** http://127.0.0.1:PORT */
  base: string;
  /** Write keys of the two projects every test server has: "acme" and "other". */
  writeKeys: [acme: string, other: string];
  close(): Promise<void>;
}

/**
 * A real collector behind a real HTTP server on loopback, over a temp database with two projects.
 * The load timer is slow so tests load the log when they choose (collector.loadNow()).
 */
export async function startCollectorServer(
  options: Partial<CollectorOptions> = {},
  limits?: CollectorLimits,
): Promise<CollectorServer> {
  const db = await openTempDb();
  const acme = await createProject(db.engine, { name: 'Acme', timeZone: 'UTC' });
  const other = await createProject(db.engine, { name: 'Other', timeZone: 'UTC' });
  const collector = await Collector.start(db.engine, {
    logDir: `${db.dir}/log`,
    loadIntervalMs: 60_000,
    ...options,
  });
  const app = createServer(limits ? { collector, limits } : { collector });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    db,
    collector,
    base,
    writeKeys: [acme.write_key, other.write_key],
    async close() {
      await app.close();
      await collector.close();
      await db.cleanup();
    },
  };
}
