import { describe, expect, it } from 'vitest';
import {
  eventCount,
  failureLines,
  importFile,
  ndjson,
  reasonCounts,
  reasonLines,
  storedEvents,
  storedFailures,
  useTempDb,
} from './import-helpers.js';

const db = useTempDb();
const T = '2026-01-05T10:00:00Z';
const T_S = Date.parse(T) / 1000;
const MALFORMED = 'malformed JSON (not an object on one line)';

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
