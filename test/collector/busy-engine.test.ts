import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectorServer, startCollectorServer } from '../helpers/collector-server.js';

/**
 * Ingest and health never wait behind a report: while something holds the engine's one
 * connection (a long scoring, here a transaction that sleeps), a write key never seen before is
 * still checked and its events acknowledged, and the health checks answer.
 */
let server: CollectorServer;
beforeAll(async () => {
  server = await startCollectorServer();
});
afterAll(() => server.close());

describe('a busy engine', () => {
  it('does not hold up ingest with an uncached key, nor /healthz and /readyz', async () => {
    let released = false;
    let release = () => {};
    const held = server.db.engine.transaction(async () => {
      await new Promise<void>((done) => {
        release = done;
        setTimeout(done, 20_000);
      });
      released = true;
    });
    const [acme] = server.writeKeys;
    const track = await fetch(`${server.base}/v1/track`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${btoa(`${acme}:`)}`,
      },
      body: JSON.stringify({ event: 'E', userId: 'u', messageId: 'busy-1' }),
    });
    const health = await fetch(`${server.base}/healthz`);
    const ready = await fetch(`${server.base}/readyz`);
    const answeredWhileHeld = !released;
    release();
    await held;
    expect(track.status).toBe(200);
    expect(health.status).toBe(200);
    expect(ready.status).toBe(200);
    expect(answeredWhileHeld).toBe(true);
    await server.collector.loadNow();
    const rows = await server.db.engine.query("SELECT 1 FROM events WHERE message_id = 'busy-1'");
    expect(rows).toHaveLength(1);
  });
});
