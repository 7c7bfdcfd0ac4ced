import type { FastifyInstance } from 'fastify';
import { BodyRefusedError, BUSY_RETRY_SECONDS } from '../ingest/collector/bodies-in-flight.js';
import type { Collector } from '../ingest/collector/collector.js';
import { isSegmentRoute, keepOversizedRequest } from '../ingest/collector/segment-routes.js';
import type { CollectorLimits } from '../model/collector-config.js';

/** What a request that failed is answered: its status, a retry hint, and words a client can act on. */
export function registerErrorAnswers(
  app: FastifyInstance,
  collector: Collector,
  limits: CollectorLimits,
): void {
  // Whatever goes wrong in a handler is answered, never a crash; details stay in the log.
  app.setErrorHandler(async (err, req, reply) => {
    if (err instanceof BodyRefusedError) {
      if (err.statusCode === 429) reply.header('retry-after', String(BUSY_RETRY_SECONDS));
      // A Segment request too large to read, with a valid Basic auth key, is kept in
      // failed_events (segment-routes.ts); PostHog's keys are only in the body, which is not read.
      if (err.statusCode === 413 && isSegmentRoute(req)) {
        await keepOversizedRequest(collector, req, err).catch((e: unknown) =>
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
}
