import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectorLimits,
  DEFAULT_COLLECTOR_LIMITS,
  DEFAULT_MAX_IN_FLIGHT_BYTES,
} from '../../src/model/collector-config.js';
import { parseConfigText } from '../../src/model/config.js';
import { type CollectorServer, startCollectorServer } from '../helpers/collector-server.js';
import { errorOf } from '../helpers/error-of.js';

/**
 * Memory of request bodies in flight is bounded (collector.max_in_flight_size): past the budget a
 * request is answered 429 with Retry-After before its body is read, gzip counts at its inflated
 * size, every event answered 2xx is stored, and health checks are answered throughout.
 */
const BUDGET = 1024 * 1024;
let server: CollectorServer;
let key: string;
beforeAll(async () => {
  server = await startCollectorServer(
    {},
    { ...DEFAULT_COLLECTOR_LIMITS, maxInFlightBytes: BUDGET },
  );
  [key] = server.writeKeys;
});
afterAll(() => server.close());

/** A PostHog batch of `events` events of about 10 KB each, uuids `${tag}-${i}`. */
const batchOf = (tag: string, events: number) => ({
  api_key: key,
  batch: Array.from({ length: events }, (_, i) => ({
    event: 'e',
    distinct_id: 'u',
    uuid: `${tag}-${i}`,
    properties: { pad: 'x'.repeat(10_000) },
  })),
});
const uuidsOf = (tag: string, events: number) =>
  Array.from({ length: events }, (_, i) => `${tag}-${i}`);

const post = async (body: string | Buffer | ReadableStream<Uint8Array>) => {
  const init: RequestInit & { duplex?: 'half' } = {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  };
  const res = await fetch(`${server.base}/batch/`, init);
  await res.arrayBuffer();
  return { status: res.status, retryAfter: res.headers.get('retry-after') };
};

/**
 * A request that sends about 500 KB of a batch chunked and stalls before its end, holding that
 * much of the budget until `finish` is called; `answer` is its status then.
 */
function heldRequest(tag: string) {
  let finish = () => {};
  const finished = new Promise<void>((r) => {
    finish = r;
  });
  const text = JSON.stringify(batchOf(tag, 50));
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(new TextEncoder().encode(text.slice(0, -2)));
      await finished;
      controller.enqueue(new TextEncoder().encode(text.slice(-2)));
      controller.close();
    },
  });
  return { answer: post(stream), finish };
}

async function storedUuids(): Promise<string[]> {
  await server.collector.loadNow();
  const rows = await server.db.engine.query<{ id: string }>(
    'SELECT message_id AS id FROM events ORDER BY 1',
  );
  return rows.map((r) => r.id);
}

describe('bodies in flight', () => {
  it('past the budget: 429 with Retry-After, every acknowledged event stored, /healthz answered', async () => {
    const acknowledged: string[] = [];
    const held = heldRequest('held');
    try {
      // Given time to arrive first (a request already in flight would leave it no room); from
      // then on a 600 KB request does not fit beside its 500 KB in the 1 MB budget.
      await new Promise((r) => setTimeout(r, 300));
      const probe = await post(JSON.stringify(batchOf('probe', 60)));
      expect(probe).toEqual({ status: 429, retryAfter: '1' });

      // A flood of 300 KB batches while the stalled one holds 500 KB: one fits beside it at a
      // time, the others are told to come back.
      let flooding = true;
      const health: { status: number; ms: number }[] = [];
      const healthChecks = (async () => {
        while (flooding) {
          const started = performance.now();
          const res = await fetch(`${server.base}/healthz`);
          health.push({ status: res.status, ms: performance.now() - started });
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      const flood = await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          const r = await post(JSON.stringify(batchOf(`flood${i}`, 30)));
          if (r.status === 200) acknowledged.push(...uuidsOf(`flood${i}`, 30));
          return r;
        }),
      );
      // Gzip counts at its inflated size: a few KB on the wire, 600 KB once inflated.
      const zipped = await post(gzipSync(JSON.stringify(batchOf('zipped', 60))));
      flooding = false;
      await healthChecks;

      const statuses = flood.map((r) => r.status);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s !== 429 && s !== 200)).toEqual([]);
      for (const r of flood.filter((f) => f.status === 429)) expect(r.retryAfter).toBe('1');
      expect(zipped).toEqual({ status: 429, retryAfter: '1' });
      expect(health.length).toBeGreaterThan(0);
      expect(health.every((h) => h.status === 200)).toBe(true);
      expect(Math.max(...health.map((h) => h.ms))).toBeLessThan(2000);
    } finally {
      held.finish();
    }
    expect((await held.answer).status).toBe(200);
    acknowledged.push(...uuidsOf('held', 50));
    // Exactly what was acknowledged: nothing lost, nothing of a 429 stored.
    expect(await storedUuids()).toEqual([...acknowledged].sort());
  });

  it('is given back once requests are answered; a body alone may be larger than the budget', async () => {
    // Twice the budget in sequence: a share left behind by the flood would refuse these.
    for (const tag of ['after1', 'after2']) {
      expect((await post(JSON.stringify(batchOf(tag, 90)))).status).toBe(200);
    }
    const alone = await post(JSON.stringify(batchOf('alone', 150)));
    expect(alone.status).toBe(200);
    const stored = new Set(await storedUuids());
    for (const id of [...uuidsOf('after1', 90), ...uuidsOf('alone', 150)]) {
      expect(stored.has(id)).toBe(true);
    }
  });
});

describe('settings', () => {
  it('max_in_flight_size is read from powerlens.yaml (128 MB by default)', () => {
    const config = parseConfigText('collector:\n  max_in_flight_size: 2MB\n', 'p.yaml');
    expect(collectorLimits(config.collector).maxInFlightBytes).toBe(2 * 1024 * 1024);
    expect(DEFAULT_COLLECTOR_LIMITS.maxInFlightBytes ?? DEFAULT_MAX_IN_FLIGHT_BYTES).toBe(
      128 * 1024 * 1024,
    );
  });

  it('max_event_size stays within the longest line the loader reads (16 MB)', () => {
    expect(
      errorOf(() =>
        parseConfigText('collector:\n  posthog:\n    max_event_size: 50MB\n', 'p.yaml'),
      ),
    ).toContain('at most 16MB');
    const config = parseConfigText('collector:\n  posthog:\n    max_event_size: 16MB\n', 'p.yaml');
    expect(collectorLimits(config.collector).posthog.maxEventBytes).toBe(16 * 1024 * 1024);
  });
});
