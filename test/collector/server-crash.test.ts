import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../src/engines/duckdb/duckdb-engine.js';
import { createProject } from '../../src/projects/run-projects.js';
import { startServe } from '../helpers/serve-child.js';

const dir = mkdtempSync(join(tmpdir(), 'powerlens-crash-'));
const dbPath = join(dir, 'crash.duckdb');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const exitOf = (child: ChildProcess) =>
  new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', () => done());
  });

const serve = () => startServe(['--db', dbPath]);

describe('the collector under SIGKILL', () => {
  it('keeps every acknowledged event, and a resend after the crash stores nothing twice', async () => {
    const setup = await DuckDbEngine.open({ path: dbPath });
    await setup.migrate();
    const { write_key: key } = await createProject(setup, { name: 'Acme', timeZone: 'UTC' });
    await setup.close();

    const sent = new Map<string, boolean>(); // message id -> acknowledged
    let next = 0;
    const batch = () =>
      Array.from({ length: 50 }, () => {
        const id = `m${next++}`;
        sent.set(id, false);
        return { type: 'track', event: 'x', userId: `u${next % 17}`, messageId: id };
      });
    const send = async (base: string, messages: { messageId: string }[]) => {
      const r = await fetch(`${base}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ writeKey: key, batch: messages }),
      });
      if (r.status === 200) for (const m of messages) sent.set(m.messageId, true);
    };

    for (const killAfterMs of [300, 700]) {
      const { child, base } = await serve();
      // Each client sends until its server dies under it (the request then fails).
      const clients = Array.from({ length: 4 }, () =>
        (async () => {
          for (;;) await send(base, batch());
        })().catch(() => undefined),
      );
      await new Promise((r) => setTimeout(r, killAfterMs));
      const exited = exitOf(child);
      child.kill('SIGKILL');
      await exited;
      // The clients' next requests fail: they stop, their unacknowledged batches left to resend.
      await Promise.allSettled(clients);
    }
    expect([...sent.values()].filter(Boolean).length).toBeGreaterThan(100);

    // Restart; the clients resend everything they were never told was stored.
    const { child, base } = await serve();
    const unacked = [...sent.entries()].filter(([, ok]) => !ok).map(([id]) => id);
    for (let i = 0; i < unacked.length; i += 100) {
      await send(
        base,
        unacked
          .slice(i, i + 100)
          .map((id) => ({ type: 'track', event: 'x', userId: 'u', messageId: id }) as never),
      );
    }
    const exited = exitOf(child);
    child.kill('SIGTERM');
    await exited;

    const check = await DuckDbEngine.open({ path: dbPath });
    const [counts] = await check.query<{ n: number; ids: number }>(
      'SELECT count(*) AS n, count(DISTINCT message_id) AS ids FROM events',
    );
    await check.close();
    expect(counts?.n).toBe(counts?.ids); // nothing stored twice
    expect(counts?.n).toBe(sent.size); // every event, acknowledged or resent, stored once
  }, 90_000);
});
