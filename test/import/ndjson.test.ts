import { describe, expect, it } from 'vitest';
import { MappingError } from '../../src/ingest/import/detect-mapping.js';
import {
  eventCount,
  failureLines,
  importFile,
  ndjson,
  reasonCounts,
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
const MALFORMED = 'malformed JSON (not an object on one line)';

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

describe('NDJSON import: file quirks', () => {
  it('ignores blank lines and rejects malformed lines at their line numbers', async () => {
    const content = [
      JSON.stringify({ user_id: 'u1', time: T, event: 'a' }), // 1
      '', // 2
      '{"user_id": "u2", "time": ', // 3: truncated
      JSON.stringify({ user_id: 'u3', time: T, event: 'c' }), // 4
      '   ', // 5: whitespace only
      '\t', // 6
      '[1, 2]', // 7: not an object
      '"just a string"', // 8
      'null', // 9
      '', // 10
      JSON.stringify({ user_id: 'u4', time: 'bogus', event: 'd' }), // 11
      "{'single': 'quotes'}", // 12
      JSON.stringify({ user_id: 'u5', time: T, event: 'e' }), // 13
      '',
      '',
    ].join('\n');
    const s = await importFile(db(), 'messy.ndjson', content);
    expect(s).toMatchObject({ rows_read: 9, imported: 3, rejected: 6 });
    expect(reasonCounts(s)).toEqual({ [MALFORMED]: 5, 'unparseable timestamp': 1 });
    expect(reasonLines(s)).toEqual({ [MALFORMED]: [3, 7, 8], 'unparseable timestamp': [11] });
    const failures = await storedFailures(db());
    expect(failures.map((f) => [f.line, f.reason, f.raw])).toEqual([
      [3, MALFORMED, '{"user_id": "u2", "time": '],
      [7, MALFORMED, '[1, 2]'],
      [8, MALFORMED, '"just a string"'],
      [9, MALFORMED, 'null'],
      [11, 'unparseable timestamp', JSON.stringify({ user_id: 'u4', time: 'bogus', event: 'd' })],
      [12, MALFORMED, "{'single': 'quotes'}"],
    ]);
    expect((await storedEvents(db())).map((e) => e.user_id)).toEqual(['u1', 'u3', 'u5']);
  });

  it('reads CRLF line endings', async () => {
    const s = await importFile(
      db(),
      'crlf.ndjson',
      [
        JSON.stringify({ user_id: 'u1', time: T, event: 'a' }),
        '',
        '{oops',
        JSON.stringify({ user_id: 'u2', time: T, event: 'b' }),
        '',
      ].join('\r\n'),
    );
    expect(s).toMatchObject({ imported: 2, rejected: 1 });
    expect(await failureLines(db())).toEqual([[3, MALFORMED]]);
    expect((await storedEvents(db())).map((e) => e.event)).toEqual(['a', 'b']);
  });

  it('reads a file starting with a UTF-8 BOM', async () => {
    const s = await importFile(
      db(),
      'bom.ndjson',
      `\ufeff${ndjson({ user_id: 'u1', time: T, event: 'a' }, { user_id: 'u2', time: T, event: 'b' })}`,
    );
    expect(s).toMatchObject({ imported: 2, rejected: 0 });
  });

  it('imports nothing from an empty file or one with only blank lines', async () => {
    for (const [name, content] of [
      ['empty.ndjson', ''],
      ['blank.ndjson', '\n\n  \n\r\n'],
    ]) {
      const s = await importFile(db(), name as string, content as string);
      expect(s).toMatchObject({ rows_read: 0, imported: 0, rejected: 0, reasons: [] });
    }
    expect(await eventCount(db())).toBe(0);
    expect(await storedFailures(db())).toEqual([]);
  });

  it('refuses a JSON array or pretty-printed JSON instead of importing nothing silently', async () => {
    const one = { user_id: 'u1', time: T, event: 'a' };
    await expect(importFile(db(), 'array.json', JSON.stringify([one, one]))).rejects.toThrow(
      /no line is a JSON object/,
    );
    await expect(importFile(db(), 'pretty.json', JSON.stringify([one], null, 2))).rejects.toThrow(
      /one object per line/,
    );
    expect(await eventCount(db())).toBe(0);
  });

  it('reads a 10 MB line', async () => {
    const big = 'y'.repeat(10 * 1024 * 1024);
    const s = await importFile(
      db(),
      'big.ndjson',
      ndjson({ user_id: 'u1', time: T, event: 'big', blob: big }, '{broken', {
        user_id: 'u2',
        time: T,
        event: 'small',
        blob: 's',
      }),
    );
    expect(s).toMatchObject({ rows_read: 3, imported: 2, rejected: 1 });
    expect(await failureLines(db())).toEqual([[2, MALFORMED]]);
    const rows = await db().engine.query<{ user_id: string; n: number }>(
      "SELECT user_id, length(properties->>'blob') AS n FROM events ORDER BY user_id",
    );
    expect(rows).toEqual([
      { user_id: 'u1', n: big.length },
      { user_id: 'u2', n: 1 },
    ]);
  });

  it('keeps unicode ids, event names and keys, including \\u escapes', async () => {
    const s = await importFile(
      db(),
      'unicode.ndjson',
      [
        JSON.stringify({ user_id: 'ユーザー😀', time: T, event: '購入 ✓', プラン: 'プロ' }),
        '{"user_id": "Zo\\u00eb", "time": "2026-01-05T10:00:00Z", "event": "caf\\u00e9 \\ud83d\\ude00"}',
      ].join('\n'),
    );
    expect(s.imported).toBe(2);
    const events = await storedEvents(db());
    expect(events.map((e) => [e.user_id, e.event])).toEqual([
      ['Zoë', 'café 😀'],
      ['ユーザー😀', '購入 ✓'],
    ]);
    expect(events[1]?.properties).toEqual({ プラン: 'プロ' });
  });

  it('keeps line numbers right in a long file', async () => {
    const lines: string[] = [];
    const bad: number[] = [];
    for (let i = 0; i < 150_000; i++) {
      if (i % 40_000 === 39_999) {
        lines.push(`{"user_id": "u${i}", broken`);
        bad.push(i + 1);
      } else if (i % 50_000 === 123) {
        lines.push('');
      } else {
        lines.push(`{"user_id":"u${i}","time":${T_S + i},"event":"e${i}"}`);
      }
    }
    const s = await importFile(db(), 'long.ndjson', `${lines.join('\n')}\n`);
    expect(s).toMatchObject({ imported: 150_000 - 3 - bad.length, rejected: bad.length });
    const failures = await storedFailures(db());
    expect(failures.map((f) => f.line)).toEqual(bad);
    for (const f of failures) expect(f.raw).toBe(`{"user_id": "u${f.line - 1}", broken`);
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
