import { createServer as createHttpServer } from 'node:http';
import cors from '@fastify/cors';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Collector } from '../ingest/collector/collector.js';
import { registerPostHogRoutes } from '../ingest/collector/posthog-routes.js';
import { registerSegmentRoutes } from '../ingest/collector/segment-routes.js';
import { type CollectorLimits, DEFAULT_COLLECTOR_LIMITS } from '../model/collector-config.js';
import { registerApiWithDocs } from './api/api-docs.js';
import type { ApiOptions } from './api/register-api.js';
import { registerDashboard } from './dashboard.js';

export interface ServerOptions {
  collector: Collector;
  logger?: boolean;
  /** Per-route limits and the request timeout (config `collector:`; defaults otherwise). */
  limits?: CollectorLimits;
  /** The REST API under /api/v1 (left out: the server only collects). */
  api?: ApiOptions;
}

/** The HTTP server: health checks, the collector's routes, and the REST API under /api/v1. */
export function createServer(options: ServerOptions): FastifyInstance {
  const limits = options.limits ?? DEFAULT_COLLECTOR_LIMITS;
  const app = Fastify({
    logger: options.logger ?? false,
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
  // Browser SDKs post from the product's own pages: the ingest routes answer any origin (a write
  // key only writes, and browsers hold it anyway); nothing else is opened to other origins.
  const ingest = /^\/(v1\/|capture|batch|e\/?$|e\?|i\/v0\/e|track)/;
  app.register(cors, {
    delegator: (req, done) =>
      done(null, {
        origin: ingest.test(req.url ?? '') ? '*' : false,
        methods: ['POST'],
        maxAge: 86_400,
      }),
  });
  // Every body arrives as bytes: the routes sniff gzip and parse JSON themselves, because SDKs
  // send gzipped JSON under other content types.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  // Back-pressure before the body is read: 429 is the status every SDK retries on, and Segment's
  // honours Retry-After only with it (docs/ingest-protocols.md).
  app.addHook('onRequest', async (req, reply) => {
    if (req.method === 'POST' && ingest.test(req.url) && options.collector.overloaded()) {
      return reply
        .code(429)
        .header('retry-after', '2')
        .send({ success: false, error: 'busy storing earlier events: retry after 2 seconds' });
    }
  });
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    const ready = await options.collector.ready();
    return reply.code(ready ? 200 : 503).send({ ok: ready });
  });
  registerSegmentRoutes(app, options.collector, limits.segment);
  registerPostHogRoutes(app, options.collector, limits.posthog);
  if (options.api) {
    registerApiWithDocs(app, options.api);
    registerDashboard(app);
  }
  // Whatever goes wrong in a handler is answered, never a crash; details stay in the log.
  app.setErrorHandler((err, req, reply) => {
    const code = (err as { statusCode?: number }).statusCode;
    // 4xx as given; 503 (the log cannot take events now) with a retry hint every SDK honours.
    const status = code && ((code >= 400 && code < 500) || code === 503) ? code : 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    if (status === 503) reply.header('retry-after', '5');
    let message = err instanceof Error ? err.message : String(err);
    if ((err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      // Fastify's own words do not say the limit: the client needs it to split its batches.
      message = `body larger than the limit of ${req.routeOptions.bodyLimit ?? limits.segment.maxBatchBytes} bytes for ${req.url} (collector limits in powerlens.yaml)`;
    }
    reply.code(status).send({ success: false, error: status === 500 ? 'internal error' : message });
  });
  return app;
}
