import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Collector } from '../../src/ingest/collector/collector.js';
import { type Config, parseConfigText } from '../../src/model/config.js';
import type { Sessions } from '../../src/server/api/sessions.js';
import { createServer } from '../../src/server/create-server.js';
import type { TempDb } from './temp-db.js';

export interface ApiServer {
  app: FastifyInstance;
  configFile: string;
  /** The config in force (definitions written through the API replace it). */
  config(): Config;
  close(): Promise<void>;
}

/** The server `powerlens serve` runs, collector and API, on a temp database and config file. */
export async function startApiServer(
  db: TempDb,
  configText: string,
  sessions: Sessions,
  /** The dashboard's address, for the links playbook payloads carry (serve's own address). */
  baseUrl?: () => string | null,
): Promise<ApiServer> {
  const configFile = db.file('powerlens.yaml', configText);
  let config = parseConfigText(configText, configFile);
  const collector = await Collector.start(db.engine, { logDir: join(db.dir, 'log') });
  const app = createServer({
    collector,
    api: {
      engine: db.engine,
      config: () => config,
      configFile,
      onConfigChange: (next) => {
        config = next;
      },
      sessions,
      ...(baseUrl ? { baseUrl } : {}),
    },
  });
  return {
    app,
    configFile,
    config: () => config,
    async close() {
      await app.close();
      await collector.close();
    },
  };
}
