import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import {
  attachShare,
  BodyBudget,
  busy,
  declaredLength,
  drain,
  readBody,
  shareOf,
  tooLarge,
} from '../ingest/collector/bodies-in-flight.js';
import type { Collector } from '../ingest/collector/collector.js';
import { type CollectorLimits, DEFAULT_MAX_IN_FLIGHT_BYTES } from '../model/collector-config.js';

/** The ingest routes' paths (Segment, RudderStack, PostHog). */
const INGEST_PATH = /^\/(v1\/|capture|batch|e\/?$|e\?|i\/v0\/e|track)/;

/**
 * How ingest bodies are let in: which origins may post them, how they are read (as bytes, within
 * the route's limit and the in-flight budget), and the back-pressure answered before reading.
 */
export function registerIngestBodies(
  app: FastifyInstance,
  collector: Collector,
  limits: CollectorLimits,
): void {
  // Browser SDKs post from the product's own pages: the ingest routes answer any origin (a write
  // key only writes, and browsers hold it anyway); nothing else is opened to other origins.
  app.register(cors, {
    delegator: (req, done) =>
      done(null, {
        origin: INGEST_PATH.test(req.url ?? '') ? '*' : false,
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
    if (!(req.method === 'POST' && INGEST_PATH.test(req.url))) return;
    if (collector.overloaded()) {
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
}
