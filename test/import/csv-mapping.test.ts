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
