import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_REMOVED, scrubKeys } from '../../src/ingest/collector/scrub-keys.js';
import { generateKey, KEY_SCOPES } from '../../src/projects/api-keys.js';
import { type CollectorServer, startCollectorServer } from '../helpers/collector-server.js';

/**
 * A request refused whole is kept in failed_events (shown by `powerlens failed-events`), but
 * never with the key it carried: not in the parsed body's key fields, not in text that did not
 * parse, not where a 32 KB cut falls inside the key.
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

interface Row {
  project_id: string;
  source: string;
  reason: string;
  raw: string;
}
/** The failed_events rows whose reason contains `marker` (each test refuses its own requests). */
async function rowsFor(marker: string): Promise<Row[]> {
  await server.collector.loadNow();
  return server.db.engine.query<Row>(
    'SELECT project_id, source, reason, raw FROM failed_events WHERE reason LIKE $m ORDER BY raw',
    { m: `%${marker}%` },
  );
}
/** Any 12 characters of the key's random part: nothing of it may be stored. */
const pieceOf = (k: string) => k.slice(8, 20);

describe('a Segment request refused whole', () => {
  it('keeps the parsed body without writeKey (the key in the body only, as in the report)', async () => {
    const r = await post('/v1/batch', JSON.stringify({ writeKey: key, batch: 'nope' }));
    expect(r.status).toBe(400);
    const rows = await rowsFor('batch must be an array');
    expect(rows).toEqual([
      {
        project_id: 'acme',
        source: 'segment',
        reason: 'request refused (400): batch must be an array of messages',
        raw: '{"batch":"nope"}',
      },
    ]);
  });

  it('keeps a batch over the message limit without the keys in it or in its messages', async () => {
    const batch = Array.from({ length: 2501 }, (_, i) => ({
      type: 'track',
      event: 'e',
      userId: 'u',
      writeKey: key,
      properties: { token: key, n: i },
    }));
    const r = await post('/v1/batch', JSON.stringify({ writeKey: key, batch }), basic(key));
    expect(r.status).toBe(413);
    const [row] = await rowsFor('batch of 2501 messages');
    expect(row?.project_id).toBe('acme');
    expect(row?.raw.startsWith('{"batch":[{"type":"track","event":"e","userId":"u",')).toBe(true);
    expect(row?.raw).not.toContain(pieceOf(key));
    expect(row?.raw).not.toContain('writeKey');
  });

  it('keeps text that did not parse with the key taken out', async () => {
    const r = await post('/v1/batch', `{"writeKey":"${key}","batch":[{"type":`, basic(key));
    expect(r.status).toBe(400);
    const rows = await rowsFor('malformed JSON');
    const mine = rows.filter((x) => x.raw.startsWith('{"writeKey"'));
    expect(mine).toEqual([
      {
        project_id: 'acme',
        source: 'segment',
        reason: expect.stringMatching(/^request refused \(400\): malformed JSON/),
        raw: `{"writeKey":"${KEY_REMOVED}","batch":[{"type":`,
      },
    ]);
  });

  it('leaves no piece of a key the 32 KB cut falls inside', async () => {
    // The key starts 10 characters before the cut: cut first and scrubbed after, 10 characters
    // of it would stay, too few to be recognised as a key.
    const text = `{"pad":"${'p'.repeat(32 * 1024 - 32)}","writeKey":"${key}" oops`;
    expect(text.indexOf(key)).toBe(32 * 1024 - 10);
    const r = await post('/v1/batch', text, basic(key));
    expect(r.status).toBe(400);
    const [row] = (await rowsFor('malformed JSON')).filter((x) => x.raw.startsWith('{"pad"'));
    expect(row?.raw.length).toBeLessThanOrEqual(32 * 1024);
    expect(row?.raw).not.toContain(key.slice(0, 10));
    expect(row?.raw.endsWith('"writeKey":"[key remov')).toBe(true);
  });

  it('keeps a gzipped body that did not parse as its inflated text, key taken out', async () => {
    const r = await post(
      '/v1/track',
      gzipSync(`{"writeKey":"${key}","event":"zipped",`),
      basic(key),
    );
    expect(r.status).toBe(400);
    const [row] = (await rowsFor('malformed JSON')).filter((x) => x.raw.includes('zipped'));
    expect(row?.raw).toBe(`{"writeKey":"${KEY_REMOVED}","event":"zipped",`);
  });
});

describe('rejected messages', () => {
  it('are kept without a key pasted anywhere into them', async () => {
    const r = await post(
      '/v1/batch',
      JSON.stringify({
        batch: [
          { type: 'track', event: 'ok', userId: 'u', messageId: 'pk1' },
          { type: 'track', userId: 'u', messageId: 'pk2', properties: { note: `key ${key}` } },
        ],
      }),
      basic(key),
    );
    expect(r.status).toBe(200);
    const [row] = await rowsFor('track needs a non-empty event name');
    expect(row?.raw).toContain(`"note":"key ${KEY_REMOVED}"`);
    expect(row?.raw).not.toContain(pieceOf(key));
  });
});

describe('PostHog requests refused whole', () => {
  it('are answered and not stored at all, so no key is', async () => {
    await server.collector.loadNow();
    const before = await server.db.engine.query<{ n: number }>(
      'SELECT count(*) AS n FROM failed_events',
    );
    const events = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ event: 'e', distinct_id: 'u', uuid: `ph${i}` }));
    const refused = [
      await post('/batch', JSON.stringify({ api_key: key, batch: events(2501) })),
      await post('/batch', `{"api_key":"${key}","batch":[`),
      await post('/capture', gzipSync(`{"api_key":"${key}",`)),
      await post('/batch', JSON.stringify({ api_key: 'phc_unknown', batch: events(1) })),
    ];
    expect(refused.map((r) => r.status)).toEqual([413, 400, 400, 401]);
    for (const r of refused) expect(JSON.stringify(r.body)).not.toContain(pieceOf(key));
    await server.collector.loadNow();
    const after = await server.db.engine.query<{ n: number }>(
      'SELECT count(*) AS n FROM failed_events',
    );
    expect(after).toEqual(before);
  });
});

describe('the key pattern', () => {
  it('matches every key this product makes, of every scope', () => {
    for (const scope of KEY_SCOPES) {
      const k = generateKey(scope);
      expect(scrubKeys(`before ${k}after`)).toBe(`before ${KEY_REMOVED}after`);
    }
  });
});
