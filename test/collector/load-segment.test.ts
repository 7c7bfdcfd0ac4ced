import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventLog } from '../../src/ingest/collector/event-log.js';
import { rawText } from '../../src/ingest/collector/json-values.js';
import { loadSegment } from '../../src/ingest/collector/load-segment.js';
import type { LogRecord } from '../../src/ingest/collector/log-record.js';
import { normalizeSegment } from '../../src/ingest/collector/normalize-segment.js';
import { runRollup } from '../../src/rollup/run-rollup.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

let db: TempDb;
let log: EventLog;
beforeEach(async () => {
  db = await openTempDb();
  log = await EventLog.open(`${db.dir}/log`);
});
afterEach(async () => {
  await log.close();
  await db.cleanup();
});

const RECEIVED = new Date('2026-11-24T12:00:00Z');

/** Normalises Segment messages as the collector will, rejections included. */
function records(messages: unknown[]): string[] {
  return messages.map((m) => {
    const r = normalizeSegment(m, {
      projectId: 'default',
      source: 'segment',
      receivedAt: RECEIVED,
    });
    const rec: LogRecord = r.ok
      ? r.record
      : {
          kind: 'failed',
          project_id: 'default',
          source: 'segment',
          reason: r.reason,
          raw: rawText(m),
          received_at: RECEIVED.toISOString(),
        };
    return JSON.stringify(rec);
  });
}

const track = (id: string, user: string, day: string) => ({
  type: 'track',
  event: 'Report Exported',
  userId: user,
  messageId: id,
  timestamp: `${day}T10:00:00Z`,
  properties: { format: 'pdf' },
  context: { groupId: 'acme' },
});

describe('loading a log segment', () => {
  it('stores each kind once, keeps rejections with their reason, marks the days dirty', async () => {
    await log.append(
      records([
        track('m1', 'u1', '2026-11-20'),
        track('m1', 'u1', '2026-11-20'), // a retry inside the same segment
        track('m2', 'u2', '2026-11-21'),
        { type: 'identify', userId: 'u1', messageId: 'i1', traits: { email: 'a@b.c' } },
        { type: 'group', userId: 'u1', groupId: 'acme', messageId: 'g1', traits: { plan: 'pro' } },
        { type: 'alias', userId: 'u1', previousId: 'anon-9', messageId: 'a1' },
        { type: 'track', userId: 'u3' }, // no event name
      ]),
    );
    const [segment] = await log.rotate();
    const r = await loadSegment(db.engine, segment ?? '', { now: RECEIVED });
    expect(r).toEqual({
      skipped: false,
      records: 7,
      events: 2,
      duplicates: 1,
      identifies: 1,
      groups: 1,
      aliases: 1,
      failed: 1,
    });
    const events = await db.engine.query(
      `SELECT message_id, user_id, account_id, event, properties->>'format' AS format,
         strftime(timestamp, '%Y-%m-%d') AS day, timestamp_flag
       FROM events ORDER BY message_id`,
    );
    expect(events).toEqual([
      {
        message_id: 'm1',
        user_id: 'u1',
        account_id: 'acme',
        event: 'Report Exported',
        format: 'pdf',
        day: '2026-11-20',
        timestamp_flag: null,
      },
      {
        message_id: 'm2',
        user_id: 'u2',
        account_id: 'acme',
        event: 'Report Exported',
        format: 'pdf',
        day: '2026-11-21',
        timestamp_flag: null,
      },
    ]);
    expect(await db.engine.query('SELECT reason FROM failed_events')).toEqual([
      { reason: 'track needs a non-empty event name' },
    ]);
    const days = await db.engine.query<{ d: string }>(
      "SELECT strftime(day, '%Y-%m-%d') AS d FROM rollup_dirty_days ORDER BY d",
    );
    // The events' days, and the alias's (its receive day, as it has no timestamp): a new link
    // between ids calls for a refresh.
    expect(days.map((d) => d.d)).toEqual(['2026-11-20', '2026-11-21', '2026-11-24']);
    await runRollup(db.engine, { projectId: 'default', timeZone: 'UTC', sessionGapMinutes: 30 });
    const [n] = await db.engine.query<{ n: number }>('SELECT count(*) AS n FROM user_day');
    expect(n?.n).toBe(2);
  });

  it('is idempotent: a replayed segment is skipped, a client retry in a later segment is dropped', async () => {
    await log.append(records([track('m1', 'u1', '2026-11-20')]));
    const [first] = await log.rotate();
    await loadSegment(db.engine, first ?? '', { now: RECEIVED });
    // Crash after the load committed, before the segment was deleted: loaded again at start.
    expect((await loadSegment(db.engine, first ?? '', { now: RECEIVED })).skipped).toBe(true);
    await log.markLoaded(first ?? '');
    // The client never got its 2xx and sends m1 again, with a new one.
    await log.append(records([track('m1', 'u1', '2026-11-20'), track('m3', 'u1', '2026-11-22')]));
    const segments = await log.rotate();
    const r = await loadSegment(db.engine, segments.at(-1) ?? '', { now: RECEIVED });
    expect([r.events, r.duplicates]).toEqual([1, 1]);
    const [n] = await db.engine.query<{ n: number }>('SELECT count(*) AS n FROM events');
    expect(n?.n).toBe(2);
  });
});
