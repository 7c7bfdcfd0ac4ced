import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../src/engines/duckdb/duckdb-engine.js';
import { Collector } from '../../src/ingest/collector/collector.js';
import { EventLog } from '../../src/ingest/collector/event-log.js';
import type { LogRecord } from '../../src/ingest/collector/log-record.js';
import { normalizeSegment } from '../../src/ingest/collector/normalize-segment.js';
import { runCli } from '../helpers/run-cli.js';
import { startServe } from '../helpers/serve-child.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/**
 * A clean stop leaves nothing for the next start to replay: the log holds no segment once
 * everything is loaded. A segment that could not be loaded stays.
 */
const segments = (dir: string) =>
  existsSync(dir) ? readdirSync(dir).filter((n) => /^seg-\d+\.ndjson$/.test(n)) : [];

function record(messageId: string): LogRecord {
  const r = normalizeSegment(
    {
      type: 'track',
      event: 'Report Exported',
      userId: 'u1',
      messageId,
      timestamp: '2026-11-20T10:00:00Z',
    },
    { projectId: 'default', source: 'segment', receivedAt: new Date('2026-11-20T10:00:01Z') },
  );
  if (!r.ok) throw new Error(r.reason);
  return r.record;
}

async function eventCount(engine: DuckDbEngine): Promise<number> {
  const [row] = await engine.query<{ n: number }>('SELECT count(*) AS n FROM events');
  return row?.n ?? -1;
}

describe('Collector.close()', () => {
  let db: TempDb;
  let logDir: string;
  beforeEach(async () => {
    db = await openTempDb();
    logDir = join(db.dir, 'log');
  });
  afterEach(() => db.cleanup());

  it('leaves no segment behind when everything was loaded', async () => {
    const idle = await Collector.start(db.engine, { logDir, loadIntervalMs: 60_000 });
    await idle.close();
    expect(segments(logDir)).toEqual([]);

    const busy = await Collector.start(db.engine, { logDir, loadIntervalMs: 60_000 });
    await busy.accept([record('m1'), record('m2')]);
    await busy.close();
    expect(segments(logDir)).toEqual([]);
    expect(await eventCount(db.engine)).toBe(2);
  });

  it('keeps a segment that could not be loaded, and the next start loads it', async () => {
    const collector = await Collector.start(db.engine, { logDir, loadIntervalMs: 60_000 });
    await collector.accept([record('m1')]);
    // The store goes away before the stop: the accepted event must wait in the log.
    await db.engine.close();
    await expect(collector.close()).rejects.toThrow();
    const left = segments(logDir);
    expect(left).toHaveLength(1);
    expect(readFileSync(join(logDir, left[0] ?? ''), 'utf8')).toContain('"m1"');

    db.engine = await DuckDbEngine.open({ path: db.dbPath });
    const again = await Collector.start(db.engine, { logDir, loadIntervalMs: 60_000 });
    expect(await eventCount(db.engine)).toBe(1);
    await again.close();
    expect(segments(logDir)).toEqual([]);
  });

  it('EventLog.close() keeps a current segment that holds lines', async () => {
    const log = await EventLog.open(logDir);
    await log.append(['{"kept":1}']);
    await log.close();
    expect(segments(logDir)).toHaveLength(1);
  });
});

describe('powerlens serve stopped with SIGTERM', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'powerlens-clean-stop-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves an empty log, so the next start has nothing to load', async () => {
    const db = join(dir, 'serve.duckdb');
    const logDir = join(dir, 'log');
    const created = await runCli(['projects', 'create', 'Acme', '--db', db, '--json']);
    expect(created.code, created.stderr).toBe(0);
    const { write_key } = JSON.parse(created.stdout) as { write_key: string };

    const stopped = async (args: string[]): Promise<void> => {
      const { child, base } = await startServe(args);
      const res = await fetch(`${base}/v1/track`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${write_key}:`).toString('base64')}`,
        },
        body: JSON.stringify({ userId: 'u1', event: 'Report Exported', messageId: 'm1' }),
      });
      expect(res.status).toBe(200);
      const exited = new Promise<number | null>((done) => child.on('exit', done));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    };

    const args = ['--db', db, '--log-dir', logDir];
    await stopped(args);
    expect(segments(logDir)).toEqual([]);
    await stopped(args);
    expect(segments(logDir)).toEqual([]);
    const engine = await DuckDbEngine.open({ path: db });
    try {
      expect(await eventCount(engine)).toBe(1);
    } finally {
      await engine.close();
    }
  }, 60_000);
});
