import { describe, expect, it } from 'vitest';
import { MappingError } from '../../src/ingest/import/detect-mapping.js';
import {
  csv,
  eventCount,
  failureLines,
  importFile,
  reasonCounts,
  reasonLines,
  storedEvents,
  storedFailures,
  useTempDb,
} from './import-helpers.js';

const db = useTempDb();
const T = '2026-01-05T10:00:00Z';

describe('CSV import: file quirks', () => {
  it('reads a header with a UTF-8 BOM', async () => {
    const s = await importFile(
      db(),
      'bom.csv',
      `\ufeff${csv('user_id,timestamp,event', `u1,${T},login`)}`,
    );
    expect(s.mapping.user).toBe('user_id');
    const [e] = await storedEvents(db());
    expect(e).toMatchObject({ user_id: 'u1', event: 'login' });
    expect(JSON.stringify(e?.properties ?? {})).not.toContain('\ufeff');
  });

  it('keeps quoted commas, quoted newlines and doubled quotes', async () => {
    const s = await importFile(
      db(),
      'quoted.csv',
      csv(
        'user_id,timestamp,event,note',
        `u1,${T},"Checkout, step 1","a, b"`,
        `u2,${T},"multi`,
        `line","said ""hi"""`,
        `u3,${T},plain,x`,
      ),
    );
    expect(s).toMatchObject({ rows_read: 3, imported: 3, rejected: 0 });
    const byUser = Object.fromEntries((await storedEvents(db())).map((e) => [e.user_id, e]));
    expect(byUser.u1).toMatchObject({ event: 'Checkout, step 1', properties: { note: 'a, b' } });
    expect(byUser.u2).toMatchObject({ event: 'multi\nline', properties: { note: 'said "hi"' } });
    expect(byUser.u3).toMatchObject({ event: 'plain', properties: { note: 'x' } });
  });

  it('reads CRLF line endings and a semicolon delimiter', async () => {
    const s = await importFile(
      db(),
      'crlf.csv',
      ['user_id;timestamp;event;plan', `u1;${T};login;a,b`, 'u2;bogus;login;c', ''].join('\r\n'),
      { csvDelimiter: ';' },
    );
    expect(s).toMatchObject({ imported: 1, rejected: 1 });
    expect(await failureLines(db())).toEqual([[3, 'unparseable timestamp']]);
    expect(await storedEvents(db())).toEqual([
      expect.objectContaining({ user_id: 'u1', event: 'login', properties: { plan: 'a,b' } }),
    ]);
  });

  it('imports nothing from an empty file, without error', async () => {
    const s = await importFile(db(), 'empty.csv', '');
    expect(s).toMatchObject({
      format: 'csv',
      rows_read: 0,
      imported: 0,
      duplicates: 0,
      rejected: 0,
      reasons: [],
      days_touched: 0,
    });
    expect(await eventCount(db())).toBe(0);
    expect(await storedFailures(db())).toEqual([]);
  });

  it('imports nothing from a header-only file but still checks the mapping', async () => {
    const s = await importFile(db(), 'header.csv', csv('user_id,timestamp,event'));
    expect(s).toMatchObject({ rows_read: 0, imported: 0, rejected: 0 });
    expect(s.mapping).toEqual({ user: 'user_id', time: 'timestamp', event: 'event' });
    expect(await eventCount(db())).toBe(0);
    await expect(importFile(db(), 'header2.csv', csv('a,b,c'))).rejects.toThrow(MappingError);
  });

  it('reads a 10 MB field', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    const s = await importFile(
      db(),
      'big.csv',
      csv('user_id,timestamp,event,blob', `u1,${T},big,"${big}"`, `u2,${T},small,s`),
    );
    expect(s).toMatchObject({ rows_read: 2, imported: 2, rejected: 0 });
    const rows = await db().engine.query<{ user_id: string; n: number }>(
      "SELECT user_id, length(properties->>'blob') AS n FROM events ORDER BY user_id",
    );
    expect(rows).toEqual([
      { user_id: 'u1', n: big.length },
      { user_id: 'u2', n: 1 },
    ]);
  });

  it('keeps unicode user ids, event names, column names and values', async () => {
    const s = await importFile(
      db(),
      'unicode.csv',
      csv(
        'user_id,timestamp,event,プラン',
        `ユーザー😀,${T},購入 ✓,プロ`,
        `Zoë Ångström,${T},Ελληνικά,—`,
      ),
    );
    expect(s.imported).toBe(2);
    const events = await storedEvents(db());
    expect(events.map((e) => [e.user_id, e.event, e.properties])).toEqual([
      ['Zoë Ångström', 'Ελληνικά', { プラン: '—' }],
      ['ユーザー😀', '購入 ✓', { プラン: 'プロ' }],
    ]);
  });

  it('rejects rows with the wrong number of columns at DuckDB line, and lines after them stay right', async () => {
    const s = await importFile(
      db(),
      'ragged.csv',
      csv(
        'user_id,timestamp,event',
        `u1,${T},a`, // 2
        `u2,${T},b,extra`, // 3: too many
        `u3,${T},c`, // 4
        'u4,bogus,d', // 5: bad time
        `u5,${T}`, // 6: too few
        `u6,${T},f`, // 7
        ',bogus,g', // 8: no user
      ),
    );
    expect(s).toMatchObject({ rows_read: 7, imported: 3, rejected: 4 });
    expect(reasonCounts(s)).toEqual({
      'CSV parse error: too many columns': 1,
      'CSV parse error: missing columns': 1,
      'unparseable timestamp': 1,
      'missing user id': 1,
    });
    // The summary's example lines are file lines, shifted past the rows DuckDB rejected.
    expect(reasonLines(s)).toEqual({
      'CSV parse error: too many columns': [3],
      'CSV parse error: missing columns': [6],
      'unparseable timestamp': [5],
      'missing user id': [8],
    });
    const failures = await storedFailures(db());
    expect(failures.map((f) => [f.line, f.reason])).toEqual([
      [3, 'CSV parse error: too many columns'],
      [5, 'unparseable timestamp'],
      [6, 'CSV parse error: missing columns'],
      [8, 'missing user id'],
    ]);
    expect(failures[0]?.raw).toBe(`u2,${T},b,extra`);
    expect(failures[2]?.raw).toBe(`u5,${T}`);
    expect((await storedEvents(db())).map((e) => e.user_id)).toEqual(['u1', 'u3', 'u6']);
  });

  it('loses nothing valid among many invalid rows ("N imported, M rejected")', async () => {
    const lines = ['user_id,timestamp,event,n'];
    const expectedUsers: string[] = [];
    const expectedFailures: [number, string][] = [];
    for (let i = 0; i < 2000; i++) {
      const line = i + 2;
      const t = new Date(Date.parse('2026-01-01T00:00:00Z') + i * 60_000).toISOString();
      switch (i % 7) {
        case 1:
          lines.push(`,${t},e,${i}`);
          expectedFailures.push([line, 'missing user id']);
          break;
        case 3:
          lines.push(`u${i},not-a-time,e,${i}`);
          expectedFailures.push([line, 'unparseable timestamp']);
          break;
        case 5:
          lines.push(`u${i},${t},,${i}`);
          expectedFailures.push([line, 'missing event name']);
          break;
        default:
          lines.push(`u${i},${t},e,${i}`);
          expectedUsers.push(`u${i}`);
      }
    }
    const s = await importFile(db(), 'mixed.csv', csv(...lines));
    expect(s).toMatchObject({
      rows_read: 2000,
      imported: expectedUsers.length,
      rejected: expectedFailures.length,
      duplicates: 0,
    });
    const stored = await db().engine.query<{ user_id: string }>(
      'SELECT user_id FROM events ORDER BY CAST(properties->>$k AS INTEGER)',
      { k: 'n' },
    );
    expect(stored.map((r) => r.user_id)).toEqual(expectedUsers);
    expect(await failureLines(db())).toEqual(expectedFailures);
    expect(reasonLines(s)['missing user id']).toEqual([3, 10, 17]);
  });

  it('keeps line numbers right across DuckDB row groups', async () => {
    const lines = ['user_id,timestamp,event'];
    const bad: number[] = [];
    for (let i = 0; i < 150_000; i++) {
      const isBad = i % 40_000 === 39_999;
      lines.push(`u${i},${isBad ? 'bogus' : T},e${i}`);
      if (isBad) bad.push(i + 2);
    }
    const s = await importFile(db(), 'long.csv', `${lines.join('\n')}\n`);
    expect(s).toMatchObject({ imported: 150_000 - bad.length, rejected: bad.length });
    const failures = await storedFailures(db());
    expect(failures.map((f) => f.line)).toEqual(bad);
    // The raw row at each reported line is the one in the file at that line.
    for (const f of failures) {
      expect(JSON.parse(f.raw).event).toBe(`e${f.line - 2}`);
    }
  });
});
