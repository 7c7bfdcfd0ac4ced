import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectorServer, startCollectorServer } from '../helpers/collector-server.js';

/**
 * Input built to hurt the server gets a 4xx and never costs the valid part of a batch: deep
 * nesting, dates out of range, made-up keys by the thousand, compressed bombs.
 */
let server: CollectorServer;
let key: string;
beforeAll(async () => {
  server = await startCollectorServer();
  [key] = server.writeKeys;
});
afterAll(() => server.close());

const post = async (path: string, body: string | Buffer, headers: Record<string, string> = {}) => {
  const res = await fetch(`${server.base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const basic = (k: string) => ({ authorization: `Basic ${btoa(`${k}:`)}` });
/** A property nested this deep, as JSON text (JSON.stringify would overflow the stack first). */
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('hostile input', () => {
  it('a message nested deeper than the stack is rejected alone; its batch is stored', async () => {
    const deep = `{"type":"track","event":"deep","userId":"u","messageId":"d1","properties":${nested(20_000)}}`;
    const ok = '{"type":"track","event":"fine","userId":"u","messageId":"d2"}';
    const r = await post('/v1/batch', `{"batch":[${deep},${ok}]}`, basic(key));
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(1);
    expect(JSON.stringify(r.body.rejected)).toContain('could not be read');
    const capture = await post(
      '/capture',
      `{"api_key":"${key}","event":"deep","distinct_id":"u","properties":${nested(20_000)}}`,
    );
    expect(capture.status).toBe(400);
    await server.collector.loadNow();
    const rows = await server.db.engine.query(
      "SELECT message_id FROM events WHERE message_id LIKE 'd%'",
    );
    expect(rows).toEqual([{ message_id: 'd2' }]);
  });

  it('a PostHog offset beyond the range of dates is stored at the receive time, flagged', async () => {
    for (const offset of [1e20, -1e20]) {
      const r = await post(
        '/capture',
        JSON.stringify({ api_key: key, event: 'e', distinct_id: 'u', uuid: `o${offset}`, offset }),
      );
      expect(r.status).toBe(200);
    }
    await server.collector.loadNow();
    const rows = await server.db.engine.query(
      "SELECT DISTINCT timestamp_flag FROM events WHERE message_id LIKE 'o%'",
    );
    expect(rows).toEqual([{ timestamp_flag: 'absurd' }]);
  });

  it('a batch naming thousands of made-up keys is refused before they are looked up', async () => {
    const batch = Array.from({ length: 2000 }, (_, i) => ({
      api_key: `plw_made_up_${i}`,
      event: 'e',
      distinct_id: 'u',
    }));
    const started = performance.now();
    const r = await post('/batch', JSON.stringify({ batch }));
    expect(r.status).toBe(401);
    expect(r.body.error).toMatch(/2000 different keys/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('a gzip bomb with a stranger’s key is refused before it is inflated; one with a real key hits the cap', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(100 * 1024);
    const stranger = await post('/v1/batch', bomb, basic('plw_not_a_key'));
    expect(stranger.status).toBe(401);
    const real = await post('/v1/batch', bomb, basic(key));
    expect(real.status).toBe(413);
    expect(real.body.error).toContain('once decompressed');
  });
});

describe('the per-event limit', () => {
  it('holds for a message that grows when written out (9e20 has 21 digits)', async () => {
    const numbers = Array(1600).fill('9e20').join(',');
    const body = `{"type":"track","event":"grow","userId":"u","messageId":"g1","properties":{"n":[${numbers}]}}`;
    expect(body.length).toBeLessThan(10_000);
    const r = await post('/v1/track', body, basic(key));
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toMatch(/message of \d+ bytes, the limit is 32768/);
  });
});

describe('requests refused whole', () => {
  it('are kept in failed_events once their project is known', async () => {
    const r = await post('/v1/batch', '{"batch": [ {"type": "track", ', basic(key));
    expect(r.status).toBe(400);
    await server.collector.loadNow();
    const rows = await server.db.engine.query<{ reason: string; raw: string }>(
      "SELECT reason, raw FROM failed_events WHERE reason LIKE 'request refused (400)%'",
    );
    expect(rows).toEqual([
      {
        reason: expect.stringMatching(/^request refused \(400\): malformed JSON/),
        raw: '{"batch": [ {"type": "track", ',
      },
    ]);
  });
});

describe('write keys are credentials', () => {
  it('are not stored with events or with rejected messages', async () => {
    const ph = await post(
      '/batch',
      JSON.stringify({
        api_key: key,
        batch: [
          { event: 'kept', distinct_id: 'u', uuid: 'k1', properties: { token: key, plan: 'pro' } },
          { event: '', distinct_id: 'u', uuid: 'k2', api_key: key, properties: { token: key } },
        ],
      }),
    );
    expect(ph.status).toBe(200);
    const seg = await post(
      '/v1/track',
      JSON.stringify({ writeKey: key, userId: 'u', messageId: 'k3' }), // no event name
    );
    expect(seg.status).toBe(400);
    await server.collector.loadNow();
    const stored = await server.db.engine.query<{ p: string }>(
      "SELECT CAST(properties AS VARCHAR) AS p FROM events WHERE message_id = 'k1'",
    );
    expect(stored).toEqual([{ p: '{"plan":"pro"}' }]);
    const raws = await server.db.engine.query<{ raw: string }>('SELECT raw FROM failed_events');
    expect(raws.length).toBeGreaterThanOrEqual(2);
    for (const r of raws) expect(r.raw).not.toContain(key);
  });
});

describe('browser SDKs', () => {
  it('may post to the ingest routes from any origin; nothing else is opened', async () => {
    const origin = { origin: 'https://app.example.com' };
    for (const path of ['/v1/batch', '/batch/', '/e/', '/i/v0/e/', '/capture']) {
      const pre = await fetch(`${server.base}${path}`, {
        method: 'OPTIONS',
        headers: {
          ...origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
      expect(pre.status, path).toBe(204);
      expect(pre.headers.get('access-control-allow-origin'), path).toBe('*');
    }
    const sent = await fetch(`${server.base}/v1/track`, {
      method: 'POST',
      headers: { ...origin, 'content-type': 'text/plain', ...basic(key) },
      body: JSON.stringify({ event: 'e', userId: 'u', messageId: 'cors1' }),
    });
    expect(sent.status).toBe(200);
    expect(sent.headers.get('access-control-allow-origin')).toBe('*');
    const health = await fetch(`${server.base}/healthz`, { headers: origin });
    expect(health.headers.get('access-control-allow-origin')).toBeNull();
  });
});
