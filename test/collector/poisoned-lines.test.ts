import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CollectorServer, startCollectorServer } from '../helpers/collector-server.js';

/**
 * Nothing acknowledged is lost for another request's poison: what is written to the log is valid
 * for the loader by construction, and a line the loader refuses anyway is set aside alone.
 * Projects acme and other send interleaved traffic; every acknowledged event of both is stored
 * exactly once.
 */
let server: CollectorServer;
let acme: string;
let other: string;
beforeEach(async () => {
  server = await startCollectorServer();
  [acme, other] = server.writeKeys;
});
afterEach(() => server.close());

const basic = (k: string) => ({ authorization: `Basic ${btoa(`${k}:`)}` });
const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${server.base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** Valid events of project other, 100 a batch, sent while acme's poison arrives. */
async function otherBatch(n: number): Promise<string[]> {
  const ids = Array.from({ length: 100 }, (_, i) => `ok-${n}-${i}`);
  const r = await post(
    '/v1/batch',
    JSON.stringify({
      batch: ids.map((messageId) => ({
        type: 'track',
        event: 'Report Exported',
        userId: `u${n}`,
        messageId,
      })),
    }),
    basic(other),
  );
  expect(r.status).toBe(200);
  return ids;
}

const stored = async (projectId: string) =>
  (
    await server.db.engine.query<{ message_id: string; n: number }>(
      `SELECT message_id, count(*) AS n FROM events WHERE project_id = $p
       GROUP BY message_id ORDER BY message_id`,
      { p: projectId },
    )
  ).map((r) => ({ id: r.message_id, n: Number(r.n) }));

const quarantined = async () =>
  (await readdir(join(server.db.dir, 'log'), { withFileTypes: true }))
    .filter((e) => e.isDirectory() && e.name === 'quarantine')
    .map((e) => e.name);

describe('poisoned requests', () => {
  it('a lone surrogate in a batch-level context or a raw cut inside an emoji costs nobody anything', async () => {
    const expectedOther: string[] = [];
    const expectedAcme: string[] = [];
    for (let n = 0; n < 10; n++) {
      expectedOther.push(...(await otherBatch(n)));
      // Batch-level context with a lone surrogate (JSON text, so the escape survives the wire).
      const poison = `{"context":{"x":"\\ud800","groupId":"a\\udfff"},"batch":[{"type":"track","event":"E","userId":"p","messageId":"poison-${n}","properties":{"k\\ud83d":"\\ude00v"}}]}`;
      const r = await post('/v1/batch', poison, basic(acme));
      expect(r.status).toBe(200);
      expectedAcme.push(`poison-${n}`);
      // A PostHog event over the event limit, made of emojis, so its raw text is cut inside one.
      const big = JSON.stringify({
        api_key: acme,
        event: 'big',
        distinct_id: 'p',
        uuid: `big-${n}`,
        properties: { text: '😀'.repeat(700_000) },
      });
      expect((await post('/capture', big)).status).toBe(400);
    }
    await server.collector.loadNow();
    expect(await stored('other')).toEqual(expectedOther.sort().map((id) => ({ id, n: 1 })));
    expect(await stored('acme')).toEqual(expectedAcme.sort().map((id) => ({ id, n: 1 })));
    const failed = await server.db.engine.query<{ n: number }>(
      "SELECT count(*) AS n FROM failed_events WHERE project_id = 'acme' AND raw LIKE '%big-%'",
    );
    expect(Number(failed[0]?.n)).toBe(10);
    expect(await server.collector.ready()).toBe(true);
    expect(await quarantined()).toEqual([]);
  });

  it('a line the loader refuses is set aside alone, with its reason; everything else loads', async () => {
    const expectedOther: string[] = [];
    for (let n = 0; n < 5; n++) {
      expectedOther.push(...(await otherBatch(n)));
      // Written past the collector's own checks, as a damaged or older log would hold it.
      await server.collector.log.append([
        `{"kind":"event","project_id":"acme","message_id":"bad-${n}","timestamp":"2026-11-20T10:00:00.000Z","received_at":"2026-11-20T10:00:00.000Z","source":"segment","user_id":"p","anonymous_id":null,"account_id":null,"event":"E","properties":{"x":"\\ud800"}}`,
        '{"kind":"event","project_id":"acme", torn',
      ]);
    }
    await server.collector.loadNow();
    expect(await stored('other')).toEqual(expectedOther.sort().map((id) => ({ id, n: 1 })));
    expect(await stored('acme')).toEqual([]);
    const failed = await server.db.engine.query<{ reason: string; raw: string }>(
      "SELECT reason, raw FROM failed_events WHERE project_id = 'acme' ORDER BY raw",
    );
    expect(failed).toHaveLength(5);
    for (const f of failed) {
      expect(f.reason).toMatch(/^the loader refused this record: .*surrogate/);
      expect(f.raw).toContain('bad-');
    }
    const dir = join(server.db.dir, 'log', 'quarantine');
    const files = await readdir(dir);
    const kept = (await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8'))))
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { reason: string; line: string });
    // Every line taken out is kept as it was, with the reason: 5 refused, 5 torn.
    expect(kept).toHaveLength(10);
    expect(kept.filter((k) => k.reason.startsWith('not JSON'))).toHaveLength(5);
    expect(await server.collector.ready()).toBe(true);
  });
});
