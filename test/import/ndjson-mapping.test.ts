import { describe, expect, it } from 'vitest';
import { MappingError } from '../../src/ingest/import/detect-mapping.js';
import {
  eventCount,
  failureLines,
  importFile,
  ndjson,
  reasonLines,
  sourceOf,
  storedEvents,
  storedFailures,
  useTempDb,
} from './import-helpers.js';

const db = useTempDb();
const T = '2026-01-05T10:00:00Z';
const T_ISO = '2026-01-05T10:00:00.000Z';
const T_S = Date.parse(T) / 1000;

describe('NDJSON import: fields and mapping', () => {
  it('auto-detects the fields and keeps the rest in properties with their JSON types', async () => {
    const s = await importFile(
      db(),
      'basic.ndjson',
      ndjson({
        userId: 'u1',
        timestamp: T,
        event: 'login',
        accountId: 'acme',
        messageId: 'm-1',
        plan: 'pro',
        seats: 5,
        trial: false,
        tags: ['a', 'b'],
        nested: { k: 1 },
        nothing: null,
      }),
    );
    expect(s).toMatchObject({
      format: 'ndjson',
      shape: 'generic',
      mapping: {
        user: 'userId',
        time: 'timestamp',
        event: 'event',
        account: 'accountId',
        id: 'messageId',
      },
      rows_read: 1,
      imported: 1,
      rejected: 0,
    });
    expect(await storedEvents(db())).toEqual([
      expect.objectContaining({
        message_id: 'm-1',
        timestamp: T_ISO,
        user_id: 'u1',
        account_id: 'acme',
        event: 'login',
        properties: {
          plan: 'pro',
          seats: 5,
          trial: false,
          tags: ['a', 'b'],
          nested: { k: 1 },
          nothing: null,
        },
        source: sourceOf(db(), 'basic.ndjson'),
      }),
    ]);
  });

  it('stores numeric ids as text', async () => {
    await importFile(
      db(),
      'numeric.jsonl',
      ndjson({ user_id: 123456789, time: T_S, event: 'x', account_id: 7, event_id: 99 }),
    );
    expect(await storedEvents(db())).toEqual([
      expect.objectContaining({ user_id: '123456789', account_id: '7', message_id: '99' }),
    ]);
  });

  it('recognises a Mixpanel export without flags', async () => {
    const s = await importFile(
      db(),
      'mixpanel.json',
      ndjson(
        {
          event: 'Signed Up',
          properties: {
            time: T_S,
            distinct_id: 'd1',
            $insert_id: 'mp-1',
            plan: 'pro',
            $os: 'Mac OS X',
            mp_lib: 'web',
          },
        },
        {
          event: 'Viewed Page',
          properties: { time: T_S + 3600, distinct_id: 'd2', $insert_id: 'mp-2', page: '/' },
        },
      ),
    );
    expect(s.shape).toBe('mixpanel');
    expect(s.mapping).toEqual({
      event: 'event',
      time: 'properties.time',
      user: 'properties.distinct_id',
      id: 'properties.$insert_id',
    });
    expect(await storedEvents(db())).toEqual([
      expect.objectContaining({
        message_id: 'mp-1',
        timestamp: T_ISO,
        user_id: 'd1',
        event: 'Signed Up',
        // Nested properties are lifted; the fields mapped to event columns are not repeated.
        properties: { plan: 'pro', $os: 'Mac OS X', mp_lib: 'web' },
      }),
      expect.objectContaining({
        message_id: 'mp-2',
        timestamp: '2026-01-05T11:00:00.000Z',
        user_id: 'd2',
        event: 'Viewed Page',
        properties: { page: '/' },
      }),
    ]);
  });

  it('recognises an Amplitude export without flags, lifting event_properties', async () => {
    const s = await importFile(
      db(),
      'amplitude.json',
      ndjson({
        user_id: 'u1',
        device_id: 'dev-1',
        event_type: 'Song Played',
        event_time: '2026-01-05 10:00:00.123000',
        $insert_id: 'ins-1',
        uuid: 'not-the-id',
        event_properties: { genre: 'jazz', seconds: 31 },
        user_properties: { tier: 'gold' },
      }),
    );
    expect(s.shape).toBe('amplitude');
    expect(s.mapping).toMatchObject({
      user: 'user_id',
      anonymous: 'device_id',
      event: 'event_type',
      time: 'event_time',
      id: '$insert_id',
    });
    expect(await storedEvents(db())).toEqual([
      expect.objectContaining({
        message_id: 'ins-1',
        timestamp: '2026-01-05T10:00:00.123Z',
        user_id: 'u1',
        anonymous_id: 'dev-1',
        event: 'Song Played',
        properties: {
          uuid: 'not-the-id',
          user_properties: { tier: 'gold' },
          genre: 'jazz',
          seconds: 31,
        },
      }),
    ]);
  });

  it('fails clearly when no field holds the user, listing top-level and nested fields', async () => {
    const run = importFile(
      db(),
      'nouser.ndjson',
      ndjson({ event: 'x', properties: { time: T_S, plan: 'pro' } }),
    );
    await expect(run).rejects.toThrow(MappingError);
    await expect(run).rejects.toThrow(
      'cannot tell which field holds the user. Fields found: event, properties, properties.time, ' +
        'properties.plan. Name them with --user FIELD.',
    );
    expect(await eventCount(db())).toBe(0);
  });

  it('maps look-alike names deterministically: the first in the file wins', async () => {
    for (let i = 0; i < 5; i++) {
      const s = await importFile(
        db(),
        `twins-${i}.ndjson`,
        ndjson(
          { userId: `a${i}`, user_id: `b${i}`, time: T_S, event: 'x' },
          { q: 1, user_id: `b${i}`, userId: `a${i}`, time: T_S, event: 'x' },
        ),
      );
      expect(s.mapping.user).toBe('userId');
    }
    const users = await db().engine.query<{ u: string }>(
      'SELECT DISTINCT user_id AS u FROM events ORDER BY u',
    );
    expect(users.map((r) => r.u)).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
  });

  it('maps nested fields with dotted flags', async () => {
    const s = await importFile(
      db(),
      'flags.ndjson',
      ndjson({ action: 'open', at: T, properties: { email: 'a@example.com', org: 'acme', x: 1 } }),
      {
        flags: { user: 'properties.email', account: 'properties.org', time: 'at', event: 'action' },
      },
    );
    expect(s.mapping).toEqual({
      event: 'action',
      time: 'at',
      user: 'properties.email',
      account: 'properties.org',
    });
    expect(await storedEvents(db())).toEqual([
      expect.objectContaining({
        user_id: 'a@example.com',
        account_id: 'acme',
        event: 'open',
        timestamp: T_ISO,
        properties: { x: 1 },
      }),
    ]);
  });

  it('rejects rows whose required fields are absent, null or empty, with their lines', async () => {
    const s = await importFile(
      db(),
      'missing.ndjson',
      ndjson(
        { user_id: 'u1', time: T, event: 'ok' }, // 1
        { time: T, event: 'x' }, // 2: no user key
        { user_id: null, time: T, event: 'x' }, // 3: null user
        { user_id: 'u4', time: T, event: '' }, // 4: empty event
        { user_id: 'u5', event: 'x' }, // 5: no time key
        { user_id: 'u6', time: null, event: 'x' }, // 6: null time
        { user_id: 'u7', time: 'soon', event: 'x' }, // 7: bad time
        { user_id: 'u8', time: T_S, event: 'ok' }, // 8
      ),
    );
    expect(s).toMatchObject({ rows_read: 8, imported: 2, rejected: 6 });
    expect(reasonLines(s)).toEqual({
      'missing user id': [2, 3],
      'missing event name': [4],
      'missing timestamp': [5, 6],
      'unparseable timestamp': [7],
    });
    expect(await failureLines(db())).toEqual([
      [2, 'missing user id'],
      [3, 'missing user id'],
      [4, 'missing event name'],
      [5, 'missing timestamp'],
      [6, 'missing timestamp'],
      [7, 'unparseable timestamp'],
    ]);
    const failures = await storedFailures(db());
    expect(JSON.parse(failures[5]?.raw ?? '')).toEqual({ user_id: 'u7', time: 'soon', event: 'x' });
    expect((await storedEvents(db())).map((e) => e.user_id)).toEqual(['u1', 'u8']);
  });
});

describe('Segment exports', () => {
  it('imports track, page and screen calls and keeps identify and group records as rejected', async () => {
    const s = await importFile(
      db(),
      'segment.ndjson',
      ndjson(
        {
          type: 'track',
          event: 'Report Exported',
          userId: 'u1',
          timestamp: '2026-01-05T10:00:00Z',
          messageId: 'm1',
          context: { groupId: 'acme' },
          properties: { format: 'pdf' },
        },
        {
          type: 'page',
          name: 'Home',
          userId: 'u1',
          timestamp: '2026-01-05T10:01:00Z',
          messageId: 'm2',
        },
        {
          type: 'identify',
          userId: 'u1',
          traits: { email: 'a@b.c' },
          timestamp: '2026-01-05T09:00:00Z',
          messageId: 'm3',
        },
        {
          type: 'group',
          userId: 'u1',
          groupId: 'acme',
          traits: { plan: 'pro' },
          timestamp: '2026-01-05T09:00:00Z',
          messageId: 'm4',
        },
      ),
    );
    expect(s.shape).toBe('segment');
    expect(s).toMatchObject({ imported: 2, rejected: 2 });
    expect(s.reasons.map((r) => r.reason)).toEqual([
      'segment group call: not an event (identify, group and alias records are read by the HTTP collector)',
      'segment identify call: not an event (identify, group and alias records are read by the HTTP collector)',
    ]);
    const events = await storedEvents(db());
    expect(events.map((e) => [e.message_id, e.event, e.account_id])).toEqual([
      ['m1', 'Report Exported', 'acme'],
      ['m2', 'page_viewed', null],
    ]);
  });
});
