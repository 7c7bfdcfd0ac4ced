import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_COLLECTOR_LIMITS } from '../../src/model/collector-config.js';
import { type CollectorServer, startCollectorServer } from '../helpers/collector-server.js';

/**
 * A request over its route's size limit is answered 413 before its body is read. Segment's SDKs
 * drop a batch answered 413, so with a valid Basic auth key (known before the body is read) the
 * refusal is kept in failed_events for that project, with the size and the limit and no body;
 * without one, or on the PostHog routes (whose key is only in the body), nothing is stored.
 */
const LIMIT = 64 * 1024;
let server: CollectorServer;
let key: string;
beforeAll(async () => {
  server = await startCollectorServer(
    {},
    {
      ...DEFAULT_COLLECTOR_LIMITS,
      segment: { ...DEFAULT_COLLECTOR_LIMITS.segment, maxBatchBytes: LIMIT },
      posthog: { ...DEFAULT_COLLECTOR_LIMITS.posthog, maxBatchBytes: LIMIT },
    },
  );
  [key] = server.writeKeys;
});
afterAll(() => server.close());

const basic = (k: string) => ({ authorization: `Basic ${btoa(`${k}:`)}` });
/** A Segment batch of about `bytes` bytes, its key in the body too (as Segment's SDK sends it). */
const segmentBatch = (bytes: number) =>
  JSON.stringify({
    writeKey: key,
    batch: [{ type: 'track', event: 'big', userId: 'u', properties: { pad: 'x'.repeat(bytes) } }],
  });

const post = async (
  path: string,
  body: string | ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
) => {
  // A stream is sent chunked, without a content-length: its size is known only as it comes.
  const init: RequestInit & { duplex?: 'half' } = {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    ...(typeof body === 'string' ? {} : { duplex: 'half' }),
  };
  const res = await fetch(`${server.base}${path}`, init);
  return { status: res.status, body: (await res.json()) as { error?: string } };
};

async function refusedRows() {
  await server.collector.loadNow();
  return server.db.engine.query<{
    project_id: string;
    source: string;
    reason: string;
    raw: string;
  }>(
    "SELECT project_id, source, reason, raw FROM failed_events WHERE reason LIKE 'request refused (413)%' ORDER BY failed_at",
  );
}

describe('a Segment request over the size limit', () => {
  it('with a valid Basic auth key: 413, and a failed_events row of its project with size and limit', async () => {
    const body = segmentBatch(100_000);
    const r = await post('/v1/batch', body, basic(key));
    expect(r.status).toBe(413);
    expect(r.body.error).toContain(`body of ${body.length} bytes, the limit is ${LIMIT}`);
    expect(await refusedRows()).toEqual([
      {
        project_id: 'acme',
        source: 'segment',
        reason: `request refused (413): body of ${body.length} bytes, the limit is ${LIMIT}; the body was not read`,
        raw: '',
      },
    ]);
    // The connection is still good for the next request.
    const next = await post(
      '/v1/track',
      JSON.stringify({ event: 'after', userId: 'u', messageId: 'after-413' }),
      basic(key),
    );
    expect(next.status).toBe(200);
  });

  it('sent chunked (no content-length): refused once past the limit, and kept the same way', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('{"batch":[{"p":"'));
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const before = (await refusedRows()).length;
    const r = await post('/v1/batch', stream, basic(key));
    expect(r.status).toBe(413);
    expect(r.body.error).toContain(`larger than the limit of ${LIMIT} bytes`);
    const rows = await refusedRows();
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toEqual({
      project_id: 'acme',
      source: 'segment',
      reason: expect.stringMatching(
        new RegExp(`^request refused \\(413\\): body larger than the limit of ${LIMIT} bytes`),
      ),
      raw: '',
    });
  });

  it('without a valid Basic auth key (the key only in the body, or unknown): 413, nothing stored', async () => {
    const before = await refusedRows();
    expect((await post('/v1/batch', segmentBatch(100_000))).status).toBe(413);
    expect((await post('/v1/batch', segmentBatch(100_000), basic('plw_unknown'))).status).toBe(413);
    expect(await refusedRows()).toEqual(before);
  });
});

describe('a PostHog request over the size limit', () => {
  it('is a 413 and stores nothing: its key is in the body, which is not read', async () => {
    const before = await refusedRows();
    const body = JSON.stringify({
      api_key: key,
      batch: [{ event: 'big', distinct_id: 'u', properties: { pad: 'x'.repeat(100_000) } }],
    });
    const r = await post('/batch/', body);
    expect(r.status).toBe(413);
    expect(r.body.error).toContain(`the limit is ${LIMIT}`);
    expect(await refusedRows()).toEqual(before);
  });
});
