import { z } from 'zod';

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)$/i;

/** A size in bytes, or text such as 32KB or 1.5 MB (binary units: 1 KB is 1,024 bytes). */
const size = z.union(
  [
    z.number().int().positive(),
    z
      .string()
      .regex(SIZE, { message: 'a size such as 32KB, 500KB or 20MB (or a number of bytes)' }),
  ],
  { message: 'a size such as 32KB, 500KB or 20MB (or a number of bytes)' },
);

/** Bytes in a configured size. */
export function sizeBytes(value: number | string): number {
  if (typeof value === 'number') return value;
  const m = SIZE.exec(value.trim());
  if (!m) throw new Error(`not a size: ${value}`);
  return Math.round(Number(m[1]) * (UNITS[(m[2] ?? 'b').toLowerCase()] ?? 1));
}

/**
 * The loader reads the log with DuckDB's read_json, whose default maximum_object_size is 16 MB: a
 * message stored as a longer line would be acknowledged and then refused by the loader.
 */
const MAX_EVENT_SIZE = 16 * 1024 * 1024;

const routeLimits = (d: { event: string; request: string; events: number }) =>
  z
    .object({
      max_event_size: size
        .default(d.event)
        // Checks run even when the value is not a size at all (the union says so): no throw here.
        .refine(
          (v) =>
            (typeof v === 'number' || SIZE.test(v.trim()) ? sizeBytes(v) : 0) <= MAX_EVENT_SIZE,
          {
            message: 'at most 16MB (the longest line the loader reads)',
          },
        )
        .describe('Largest single message, as JSON (at most 16 MB).'),
      max_request_size: size
        .default(d.request)
        .describe('Largest request body once decompressed (larger: 413).'),
      max_batch_events: z
        .number()
        .int()
        .positive()
        .default(d.events)
        .describe('Most messages in one batch (more: 413).'),
    })
    .strict();

const SEGMENT_DEFAULTS = { event: '32KB', request: '500KB', events: 2500 };
// The limits for every route: 32 KB per event, 2,500 per batch; PostHog's own 20 MB body.
const POSTHOG_DEFAULTS = { event: '32KB', request: '20MB', events: 2500 };

/** `collector:` in powerlens.yaml: what `powerlens serve` accepts and how it paces its work. */
export const CollectorConfigSchema = z
  .object({
    segment: routeLimits(SEGMENT_DEFAULTS)
      .default(routeLimits(SEGMENT_DEFAULTS).parse({}))
      .describe('Limits of the Segment / RudderStack routes (Segment’s own by default).'),
    posthog: routeLimits(POSTHOG_DEFAULTS)
      .default(routeLimits(POSTHOG_DEFAULTS).parse({}))
      .describe('Limits of the PostHog routes.'),
    max_unloaded_size: size
      .default('256MB')
      .describe('Accepted events waiting to be loaded beyond which requests get 429.'),
    max_in_flight_size: size
      .optional()
      .describe(
        'Request bodies being read and handled at once (gzip at its inflated size) beyond which requests get 429 (default 128MB; memory is a few times this).',
      ),
    rollup_every_seconds: z
      .number()
      .int()
      .positive()
      .default(60)
      .describe('How often the rollups are refreshed while serving.'),
    request_timeout_seconds: z
      .number()
      .positive()
      .default(30)
      .describe('A request not received in full within this time is cut off.'),
    dedupe_days: z
      .number()
      .int()
      .min(7)
      .max(90)
      .default(8)
      .describe('A message id seen within this many days is stored once.'),
  })
  .strict();

export type CollectorConfig = z.infer<typeof CollectorConfigSchema>;

export interface RouteLimits {
  maxEventBytes: number;
  maxBatchBytes: number;
  maxBatchEvents: number;
}

export interface CollectorLimits {
  segment: RouteLimits;
  posthog: RouteLimits;
  maxUnloadedBytes: number;
  /**
   * Bytes of request bodies in flight (read, inflated, being handled) beyond which 429; absent
   * when not configured: DEFAULT_MAX_IN_FLIGHT_BYTES.
   */
  maxInFlightBytes?: number;
  requestTimeoutMs: number;
  rollupIntervalMs: number;
  dedupeDays: number;
}

/**
 * Request bodies in flight by default. 48 concurrent 18 MB PostHog batches peaked at about 0.7 GB
 * of RSS with it, against 2 to 3 GB without (bench/big-bodies-bench.ts); Segment's largest batch
 * is 500 KB, so 256 of those fit at once.
 */
export const DEFAULT_MAX_IN_FLIGHT_BYTES = 128 * 1024 * 1024;

/** The configured limits in bytes and milliseconds, as the collector uses them. */
export function collectorLimits(config: CollectorConfig): CollectorLimits {
  const route = (r: CollectorConfig['segment']): RouteLimits => ({
    maxEventBytes: sizeBytes(r.max_event_size),
    maxBatchBytes: sizeBytes(r.max_request_size),
    maxBatchEvents: r.max_batch_events,
  });
  return {
    segment: route(config.segment),
    posthog: route(config.posthog),
    maxUnloadedBytes: sizeBytes(config.max_unloaded_size),
    ...(config.max_in_flight_size === undefined
      ? {}
      : { maxInFlightBytes: sizeBytes(config.max_in_flight_size) }),
    requestTimeoutMs: config.request_timeout_seconds * 1000,
    rollupIntervalMs: config.rollup_every_seconds * 1000,
    dedupeDays: config.dedupe_days,
  };
}

/** Every default, for code that runs without a config file (tests, benchmarks). */
export const DEFAULT_COLLECTOR_LIMITS: CollectorLimits = collectorLimits(
  CollectorConfigSchema.parse({}),
);
