import { createServer as createHttpServer } from 'node:http';
import cors from '@fastify/cors';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import {
  attachShare,
  BodyBudget,
  BodyRefusedError,
  BUSY_RETRY_SECONDS,
  busy,
  declaredLength,
  drain,
  readBody,
  shareOf,
  tooLarge,
} from '../ingest/collector/bodies-in-flight.js';
import type { Collector } from '../ingest/collector/collector.js';
import { registerPostHogRoutes } from '../ingest/collector/posthog-routes.js';
import {
  isSegmentRoute,
  keepOversizedRequest,
  registerSegmentRoutes,
} from '../ingest/collector/segment-routes.js';
import {
  type CollectorLimits,
  DEFAULT_COLLECTOR_LIMITS,
  DEFAULT_MAX_IN_FLIGHT_BYTES,
} from '../model/collector-config.js';
import { registerApiWithDocs } from './api/api-docs.js';
import type { ApiOptions } from './api/register-api.js';
import { registerDashboard } from './dashboard.js';
import { registerEngineSessions } from './engine-sessions.js';

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
  // send gzipped JSON under other content types. The route's byte limit holds before anything
  // is parsed (bodies-in-flight.ts reads into one Buffer).
  const bodies = new BodyBudget(limits.maxInFlightBytes ?? DEFAULT_MAX_IN_FLIGHT_BYTES);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (req, payload, done) => {
    readBody(payload, {
      declared: declaredLength(req.raw),
      limit: req.routeOptions.bodyLimit ?? limits.segment.maxBatchBytes,
      share: shareOf(req),
    }).then(
      (body) => done(null, body),
      (err: Error) => done(err, undefined),
    );
  });
  // Back-pressure before the body is read: 429 is the status every SDK retries on, and Segment's
  // honours Retry-After only with it (docs/ingest-protocols.md). Two bounds: events accepted and
  // not yet loaded (max_unloaded_size), and bodies being read and handled now
  // (max_in_flight_size), which max_unloaded_size cannot see: 48 concurrent 18 MB PostHog
  // batches took the server to 2.6 GB without it (bench/big-bodies-bench.ts).
  app.addHook('onRequest', async (req, reply) => {
    if (!(req.method === 'POST' && ingest.test(req.url))) return;
    if (options.collector.overloaded()) {
      await drain(req.raw);
      return reply
        .code(429)
        .header('retry-after', '2')
        .send({ success: false, error: 'busy storing earlier events: retry after 2 seconds' });
    }
    const limit = req.routeOptions.bodyLimit ?? limits.segment.maxBatchBytes;
    const declared = declaredLength(req.raw);
    // Refused before anything of the body is kept: it is read and dropped first (drain), since
    // an answer sent while the client is still sending is often lost to a connection reset.
    if (declared !== null && declared > limit) {
      await drain(req.raw);
      throw tooLarge(declared, limit, true);
    }
    const share = bodies.open();
    // The share is held until the answer is sent: the parsed body and its log lines live until
    // then, and they are what the budget is really about.
    reply.raw.once('close', () => share.release());
    attachShare(req.raw, share);
    if (declared !== null && !share.take(declared)) {
      await drain(req.raw);
      throw busy(declared, limit);
    }
  });
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
  // Whatever goes wrong in a handler is answered, never a crash; details stay in the log.
  app.setErrorHandler(async (err, req, reply) => {
    if (err instanceof BodyRefusedError) {
      if (err.statusCode === 429) reply.header('retry-after', String(BUSY_RETRY_SECONDS));
      // A Segment request too large to read, with a valid Basic auth key, is kept in
      // failed_events (segment-routes.ts); PostHog's keys are only in the body, which is not read.
      if (err.statusCode === 413 && isSegmentRoute(req)) {
        await keepOversizedRequest(options.collector, req, err).catch((e: unknown) =>
          req.log.error({ err: e }, 'could not keep the refused request in failed_events'),
        );
      }
      return reply.code(err.statusCode).send({
        success: false,
        error:
          err.statusCode === 413
            ? `${err.message} for ${req.url} (collector limits in powerlens.yaml)`
            : err.message,
      });
    }
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
    return reply
      .code(status)
      .send({ success: false, error: status === 500 ? 'internal error' : message });
  });
  return app;
}
