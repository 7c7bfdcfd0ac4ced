import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_COLLECTOR_LIMITS } from '../../src/model/collector-config.js';
import { type CollectorServer, startCollectorServer } from '../helpers/collector-server.js';

/**
 * A client that starts a request and stalls (a slow loris) is cut off after the request timeout
 * (collector.request_timeout_seconds), and while it stalls everyone else is served.
 */
let server: CollectorServer;
const TIMEOUT_MS = 800;

beforeAll(async () => {
  server = await startCollectorServer(
    {},
    { ...DEFAULT_COLLECTOR_LIMITS, requestTimeoutMs: TIMEOUT_MS },
  );
});
afterAll(() => server.close());

/** Opens a connection, sends the headers and half of the promised body, then stalls. */
function stall(): Promise<{ socket: Socket; closed: Promise<{ ms: number; reply: string }> }> {
  const { port } = new URL(server.base);
  return new Promise((ready) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      const started = Date.now();
      let reply = '';
      socket.on('data', (d) => {
        reply += d.toString();
      });
      const closed = new Promise<{ ms: number; reply: string }>((done) =>
        socket.on('close', () => done({ ms: Date.now() - started, reply })),
      );
      socket.write(
        'POST /v1/track HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"type":"track",',
      );
      ready({ socket, closed });
    });
  });
}

describe('slow clients', () => {
  it('are cut off after the request timeout while the others are served', async () => {
    const stalled = await Promise.all(Array.from({ length: 20 }, () => stall()));
    const auth = `Basic ${btoa(`${server.writeKeys[0]}:`)}`;
    // Served at once, stalled connections notwithstanding.
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fetch(`${server.base}/v1/track`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: auth },
          body: JSON.stringify({ event: 'e', userId: `u${i}`, messageId: `fast-${i}` }),
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS);
    const ends = await Promise.all(stalled.map((s) => s.closed));
    for (const end of ends) {
      expect(end.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      expect(end.ms).toBeLessThan(TIMEOUT_MS + 5000);
      expect(end.reply).toMatch(/^HTTP\/1\.1 408/);
    }
    await server.collector.loadNow();
    const [n] = await server.db.engine.query<{ n: number }>('SELECT count(*) AS n FROM events');
    expect(n?.n).toBe(20);
  });
});
