import { describe, expect, it } from 'vitest';
import { MappingError } from '../../src/ingest/import/detect-mapping.js';
import {
  csv,
  eventCount,
  failureLines,
  importFile,
  NOW,
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

describe('CSV import: columns and mapping', () => {
  it('auto-detects user_id, timestamp and event and keeps extra columns in properties', async () => {
    const s = await importFile(
      db(),
      'basic.csv',
      csv('user_id,timestamp,event,plan,seats', `u1,${T},login,pro,5`, `u2,${T},logout,,12`),
    );
    expect(s).toMatchObject({
      format: 'csv',
      shape: 'generic',
      mapping: { user: 'user_id', time: 'timestamp', event: 'event' },
      rows_read: 2,
      imported: 2,
      duplicates: 0,
      rejected: 0,
      reasons: [],
      days_touched: 1,
    });
    expect(s.file).toBe(`${db().dir}/basic.csv`);
    const events = await storedEvents(db());
    expect(events).toEqual([
      {
        project_id: 'default',
        message_id: expect.stringMatching(/^h_[0-9a-f]{32}$/),
        timestamp: T_ISO,
        user_id: 'u1',
        anonymous_id: null,
        account_id: null,
        event: 'login',
        // CSV values are text: extra columns are kept as strings, empty cells as null.
        properties: { plan: 'pro', seats: '5' },
        source: sourceOf(db(), 'basic.csv'),
        received_at: NOW.toISOString(),
      },
      expect.objectContaining({
        user_id: 'u2',
        event: 'logout',
        properties: { plan: null, seats: '12' },
      }),
    ]);
    expect(await storedFailures(db())).toEqual([]);
  });

  it.each([
    {
      header: 'userId,time,name,group_id,uuid',
      mapping: { user: 'userId', time: 'time', event: 'name', account: 'group_id', id: 'uuid' },
    },
    {
      header: 'distinct_id,event_timestamp,action,company_id,message_id',
      mapping: {
        user: 'distinct_id',
        time: 'event_timestamp',
        event: 'action',
        account: 'company_id',
        id: 'message_id',
      },
    },
    {
      header: 'User ID,Timestamp,Event Name,Account ID,Event ID',
      mapping: {
        user: 'User ID',
        time: 'Timestamp',
        event: 'Event Name',
        account: 'Account ID',
        id: 'Event ID',
      },
    },
  ])('auto-detects the common column names: $header', async ({ header, mapping }) => {
    const s = await importFile(db(), 'names.csv', csv(header, `u1,${T},login,acme,m-1`));
    expect(s.mapping).toEqual(mapping);
    expect(s.imported).toBe(1);
    const [e] = await storedEvents(db());
    expect(e).toMatchObject({
      user_id: 'u1',
      timestamp: T_ISO,
      event: 'login',
      account_id: 'acme',
      message_id: 'm-1',
    });
    // Every column is mapped, so there is nothing left over for properties.
    expect(e?.properties ?? {}).toEqual({});
  });

  it('fails clearly when there is no user column, naming the fields found and the flag', async () => {
    const run = importFile(db(), 'nouser.csv', csv('ts,event,plan', `${T},login,pro`));
    await expect(run).rejects.toThrow(MappingError);
    await expect(run).rejects.toThrow(/user/);
    await expect(run).rejects.toThrow('Fields found: ts, event, plan.');
    await expect(run).rejects.toThrow('--user FIELD');
    expect(await eventCount(db())).toBe(0);
  });

  it('names every missing field when several are missing', async () => {
    await expect(importFile(db(), 'none.csv', csv('foo,bar', '1,2'))).rejects.toThrow(
      'cannot tell which field holds the user, time, event. Fields found: foo, bar. ' +
        'Name them with --user FIELD --time FIELD --event FIELD.',
    );
  });

  it('maps unusual column names with flags', async () => {
    const s = await importFile(
      db(),
      'flags.csv',
      csv('who,when,what,org,mid,device,colour', `alice,${T},open,acme,m1,d1,red`),
      {
        flags: {
          user: 'who',
          time: 'when',
          event: 'what',
          account: 'org',
          id: 'mid',
          anonymous: 'device',
        },
      },
    );
    expect(s.mapping).toEqual({
      user: 'who',
      time: 'when',
      event: 'what',
      account: 'org',
      id: 'mid',
      anonymous: 'device',
    });
    expect(await storedEvents(db())).toEqual([
      expect.objectContaining({
        message_id: 'm1',
        timestamp: T_ISO,
        user_id: 'alice',
        anonymous_id: 'd1',
        account_id: 'acme',
        event: 'open',
        properties: { colour: 'red' },
      }),
    ]);
  });

  it('lets a flag override auto-detection; the unused column stays in properties', async () => {
    const s = await importFile(
      db(),
      'override.csv',
      csv('user_id,email,timestamp,event', `42,a@example.com,${T},login`),
      { flags: { user: 'email' } },
    );
    expect(s.mapping.user).toBe('email');
    const [e] = await storedEvents(db());
    expect(e).toMatchObject({ user_id: 'a@example.com', properties: { user_id: '42' } });
  });

  it('rejects a flag naming a column the file does not have, listing the columns', async () => {
    await expect(
      importFile(db(), 'badflag.csv', csv('who,when,what', `a,${T},x`), {
        flags: { user: 'nobody' },
      }),
    ).rejects.toThrow('--user nobody: the file has no such field. Fields found: who, when, what.');
  });

  it('rejects rows whose required cells are empty, with reason and line, and keeps the rest', async () => {
    const s = await importFile(
      db(),
      'empty-cells.csv',
      csv(
        'user_id,timestamp,event,plan',
        `u1,${T},login,pro`, // 2
        `,${T},login,pro`, // 3: no user
        `u3,${T},,pro`, // 4: no event
        'u4,,login,pro', // 5: no timestamp
        `   ,${T},login,pro`, // 6: blank user
        `u6,${T},login,free`, // 7
        'u7,   ,login,pro', // 8: blank timestamp
      ),
    );
    expect(s).toMatchObject({ rows_read: 7, imported: 2, rejected: 5, days_touched: 1 });
    expect(reasonCounts(s)).toEqual({
      'missing user id': 2,
      'missing event name': 1,
      'missing timestamp': 2,
    });
    expect(reasonLines(s)).toEqual({
      'missing user id': [3, 6],
      'missing event name': [4],
      'missing timestamp': [5, 8],
    });
    expect(await failureLines(db())).toEqual([
      [3, 'missing user id'],
      [4, 'missing event name'],
      [5, 'missing timestamp'],
      [6, 'missing user id'],
      [8, 'missing timestamp'],
    ]);
    const failures = await storedFailures(db());
    expect(failures[0]?.source).toBe(sourceOf(db(), 'empty-cells.csv'));
    expect(JSON.parse(failures[0]?.raw ?? '')).toEqual({
      user_id: null,
      timestamp: T,
      event: 'login',
      plan: 'pro',
    });
    expect((await storedEvents(db())).map((e) => e.user_id)).toEqual(['u1', 'u6']);
  });

  it('accepts a row with only an anonymous id', async () => {
    const s = await importFile(
      db(),
      'anon.csv',
      csv('user_id,anonymous_id,timestamp,event', `,anon-1,${T},view`, `,,${T},view`),
    );
    expect(s).toMatchObject({ imported: 1, rejected: 1 });
    expect(reasonLines(s)).toEqual({ 'missing user id': [3] });
    expect(await storedEvents(db())).toEqual([
      expect.objectContaining({ user_id: null, anonymous_id: 'anon-1', event: 'view' }),
    ]);
  });

  it('recognises an Amplitude export without flags', async () => {
    const s = await importFile(
      db(),
      'amplitude.csv',
      csv(
        'user_id,device_id,event_type,event_time,$insert_id,country,amplitude_id',
        'u1,dev-1,Song Played,2026-01-05 10:00:00.123000,ins-1,JP,9001',
        ',dev-2,App Opened,2026-01-05 23:59:59.999999,ins-2,DE,9002',
      ),
    );
    expect(s.shape).toBe('amplitude');
    expect(s.mapping).toEqual({
      user: 'user_id',
      anonymous: 'device_id',
      event: 'event_type',
      time: 'event_time',
      id: '$insert_id',
    });
    expect(s.imported).toBe(2);
    const events = await storedEvents(db());
    expect(events).toEqual([
      expect.objectContaining({
        message_id: 'ins-1',
        timestamp: '2026-01-05T10:00:00.123Z',
        user_id: 'u1',
        anonymous_id: 'dev-1',
        event: 'Song Played',
        properties: { country: 'JP', amplitude_id: '9001' },
      }),
      expect.objectContaining({
        message_id: 'ins-2',
        user_id: null,
        anonymous_id: 'dev-2',
        event: 'App Opened',
      }),
    ]);
    const [exact] = await db().engine.query<{ us: number }>(
      "SELECT epoch_us(timestamp) AS us FROM events WHERE message_id = 'ins-2'",
    );
    expect(exact?.us).toBe(Date.parse('2026-01-05T23:59:59Z') * 1000 + 999_999);
  });
});

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
