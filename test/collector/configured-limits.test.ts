import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectorLimits } from '../../src/model/collector-config.js';
import { parseConfigText } from '../../src/model/config.js';
import { type CollectorServer, startCollectorServer } from '../helpers/collector-server.js';

/** Limits from powerlens.yaml reach the routes, and every refusal states the limit. */
let server: CollectorServer;
let key: string;

beforeAll(async () => {
  const config = parseConfigText(
    [
      'collector:',
      '  segment: { max_event_size: 300B, max_request_size: 2KB, max_batch_events: 3 }',
      '  posthog: { max_event_size: 400B, max_request_size: 3KB, max_batch_events: 4 }',
    ].join('\n'),
    'powerlens.yaml',
  );
  server = await startCollectorServer({}, collectorLimits(config.collector));
  [key] = server.writeKeys;
});
afterAll(() => server.close());

const post = async (path: string, body: unknown, gzip = false) => {
  const text = JSON.stringify(body);
  const res = await fetch(`${server.base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${btoa(`${key}:`)}` },
    body: gzip ? gzipSync(text) : text,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const track = (i: number, pad = '') => ({
  type: 'track',
  event: 'e',
  userId: 'u',
  messageId: `m${i}`,
  properties: { pad },
});

describe('limits set in powerlens.yaml', () => {
  it('Segment: too many messages in a batch is a 413 that states the limit', async () => {
    const r = await post('/v1/batch', { batch: [0, 1, 2, 3].map((i) => track(i)) });
    expect(r.status).toBe(413);
    expect(r.body.error).toContain('batch of 4 messages, the limit is 3');
  });

  it('Segment: an oversized message is rejected with its size, the others in the batch stored', async () => {
    const r = await post('/v1/batch', { batch: [track(10), track(11, 'x'.repeat(400))] });
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.body)).toMatch(/message of \d+ bytes, the limit is 300/);
    await server.collector.loadNow();
    const rows = await server.db.engine.query('SELECT message_id FROM events');
    expect(rows).toEqual([{ message_id: 'm10' }]);
  });

  it('Segment: a body over the request size is a 413 that states the limit, gzipped or not', async () => {
    const plain = await post('/v1/batch', {
      batch: [30, 31, 32].map((i) => track(i, 'y'.repeat(700))),
    });
    expect(plain.status).toBe(413);
    expect(plain.body.error).toMatch(/limit of 2048 bytes|the limit is 2048/);
    // 100 KB of one repeated letter compresses to almost nothing: the cap is on the inflated size.
    const zipped = await post(
      '/v1/track',
      { ...track(22), properties: { pad: 'z'.repeat(100_000) } },
      true,
    );
    expect(zipped.status).toBe(413);
    expect(zipped.body.error).toContain('the limit of 2048 bytes once decompressed');
  });

  it('PostHog: its own limits, batch count and event size', async () => {
    const ev = (i: number, pad = '') => ({
      event: 'e',
      distinct_id: 'u',
      uuid: `p${i}`,
      properties: { pad },
    });
    const many = await post('/batch', { api_key: key, batch: [0, 1, 2, 3, 4].map((i) => ev(i)) });
    expect(many.status).toBe(413);
    expect(many.body.error).toContain('the limit is 4');
    const one = await post('/batch', { api_key: key, batch: [ev(5), ev(6, 'q'.repeat(500))] });
    expect(one.status).toBe(200);
    expect(JSON.stringify(one.body)).toMatch(/the limit is 400/);
  });
});
