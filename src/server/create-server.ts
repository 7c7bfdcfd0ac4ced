import { createServer as createHttpServer } from 'node:http';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Collector } from '../ingest/collector/collector.js';
import { registerPostHogRoutes } from '../ingest/collector/posthog-routes.js';
import { registerSegmentRoutes } from '../ingest/collector/segment-routes.js';
import { type CollectorLimits, DEFAULT_COLLECTOR_LIMITS } from '../model/collector-config.js';
import { registerApiWithDocs } from './api/api-docs.js';
import type { ApiOptions } from './api/register-api.js';
import { registerDashboard } from './dashboard.js';
import { registerEngineSessions } from './engine-sessions.js';
import { registerErrorAnswers } from './error-answers.js';
import { registerIngestBodies } from './ingest-bodies.js';

export interface ServerOptions {
  collector: Collector;
  /**
   * Logging: false for none; a level for serve ('info' by default: starts, stops, failures; at
   * 'debug', one line per request).
   */
  logger?: boolean | 'debug' | 'info' | 'warn' | 'error';
  /** Per-route limits and the request timeout (config `collector:`; defaults otherwise). */
  limits?: CollectorLimits;
  /** The REST API under /api/v1 (left out: the server only collects). */
  api?: ApiOptions;
  /** Engine sessions for the CLI while this server holds the database (engine-sessions.ts). */
  admin?: { token: string; idleMs?: number };
}

/** The HTTP server: health checks, the collector's routes, and the REST API under /api/v1. */
export function createServer(options: ServerOptions): FastifyInstance {
  const limits = options.limits ?? DEFAULT_COLLECTOR_LIMITS;
  const logger = options.logger ?? false;
  const app = Fastify({
    logger: typeof logger === 'string' ? { level: logger } : logger,
    // Fastify's two JSON lines per request drown what matters; one line at debug instead.
    ...(typeof logger === 'string'
      ? { logController: new LogController({ disableRequestLogging: true }) }
      : {}),
    // Slow clients are cut off with a 408, so they cannot hold a connection others need. Node
    // checks for them only every 30 s by default: here at a tenth of the timeout (at most 1 s).
    serverFactory: (handler) =>
      createHttpServer(
        {
          requestTimeout: limits.requestTimeoutMs,
          headersTimeout: Math.min(limits.requestTimeoutMs, 60_000),
          connectionsCheckingInterval: Math.min(1000, Math.max(50, limits.requestTimeoutMs / 10)),
        },
        handler,
      ),
    // Compressed bodies are inflated (with their own cap) after this raw cap; the PostHog routes
    // set their own.
    bodyLimit: limits.segment.maxBatchBytes,
  });
  registerIngestBodies(app, options.collector, limits);
  if (typeof logger === 'string') {
    app.addHook('onResponse', async (req, reply) => {
      req.log.debug(
        `${req.method} ${req.url.split('?')[0]} ${reply.statusCode} ${Math.round(reply.elapsedTime)} ms`,
      );
    });
  }
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    const ready = await options.collector.ready();
    return reply.code(ready ? 200 : 503).send({ ok: ready });
  });
  registerSegmentRoutes(app, options.collector, limits.segment);
  registerPostHogRoutes(app, options.collector, limits.posthog);
  if (options.admin) {
    registerEngineSessions(app, {
      engine: options.api?.engine ?? options.collector.engine,
      token: options.admin.token,
      idleMs: options.admin.idleMs,
      log: (m) => app.log.info(m),
    });
  }
  if (options.api) {
    registerApiWithDocs(app, options.api);
    registerDashboard(app);
  }
  registerErrorAnswers(app, options.collector, limits);
  return app;
}
