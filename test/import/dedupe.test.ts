import { describe, expect, it } from 'vitest';
import {
  csv,
  eventCount,
  failureLines,
  importFile,
  ndjson,
  sourceOf,
  storedEvents,
  storedFailures,
  useTempDb,
} from './import-helpers.js';

const db = useTempDb();
const T = '2026-01-05T10:00:00Z';

function rows(n: number, withId: boolean): string[] {
  const out = [withId ? 'message_id,user_id,timestamp,event,n' : 'user_id,timestamp,event,n'];
  for (let i = 0; i < n; i++) {
    const t = new Date(Date.parse(T) + i * 1000).toISOString();
    out.push(`${withId ? `m${i},` : ''}u${i % 7},${t},e${i % 3},${i}`);
  }
  return out;
}

describe('deduplication', () => {
  it('does not take a bare id column for the message id', async () => {
    const s = await importFile(
      db(),
      'bare-id.csv',
      csv(
        'id,user_id,timestamp,event',
        '1,u1,2026-01-05T10:00:00Z,a',
        '1,u1,2026-01-05T10:01:00Z,b',
      ),
    );
    expect(s).toMatchObject({ imported: 2, duplicates: 0 });
    expect(s.mapping.id).toBeUndefined();
  });

  it('hashes user and anonymous ids apart when there is no message id', async () => {
    const s = await importFile(
      db(),
      'anon-vs-user.csv',
      csv(
        'user_id,anonymous_id,timestamp,event',
        'x,,2026-01-05T10:00:00Z,a',
        ',x,2026-01-05T10:00:00Z,a',
      ),
    );
    expect(s).toMatchObject({ imported: 2, duplicates: 0 });
  });

  it('adds nothing when a file with message ids is imported twice', async () => {
    const content = csv(...rows(300, true));
    const first = await importFile(db(), 'ids.csv', content);
    expect(first).toMatchObject({ rows_read: 300, imported: 300, duplicates: 0, days_touched: 1 });
    const before = await storedEvents(db());
    const second = await importFile(db(), 'ids.csv', content);
    expect(second).toMatchObject({ rows_read: 300, imported: 0, duplicates: 300, rejected: 0 });
    expect(await storedEvents(db())).toEqual(before);
    expect(new Set(before.map((e) => e.message_id)).size).toBe(300);
  });

  it('adds nothing when a file without ids is imported twice (content hashes)', async () => {
    const content = csv(...rows(300, false));
    await importFile(db(), 'noids.csv', content);
    const before = await storedEvents(db());
    expect(before.every((e) => /^h_[0-9a-f]{32}$/.test(e.message_id))).toBe(true);
    expect(new Set(before.map((e) => e.message_id)).size).toBe(300);
    // The same content under another file name is still the same events.
    const again = await importFile(db(), 'noids-copy.csv', content);
    expect(again).toMatchObject({ imported: 0, duplicates: 300 });
    expect(await storedEvents(db())).toEqual(before);
  });

  it('adds nothing for NDJSON imported twice, with and without ids', async () => {
    const withIds = ndjson(
      { messageId: 'a', userId: 'u1', timestamp: T, event: 'x' },
      { messageId: 'b', userId: 'u1', timestamp: T, event: 'x' },
    );
    const noIds = ndjson(
      { userId: 'u1', timestamp: T, event: 'y', props: { k: [1, 2] } },
      { userId: 'u2', timestamp: T, event: 'y' },
    );
    for (const [name, content] of [
      ['ids.ndjson', withIds],
      ['noids.ndjson', noIds],
    ] as const) {
      expect((await importFile(db(), name, content)).imported).toBe(2);
      expect(await importFile(db(), name, content)).toMatchObject({ imported: 0, duplicates: 2 });
    }
    expect(await eventCount(db())).toBe(4);
  });

  it('collapses duplicate ids inside one file to the first occurrence', async () => {
    const s = await importFile(
      db(),
      'dups.csv',
      csv(
        'message_id,user_id,timestamp,event,version',
        `m1,u1,${T},login,first`,
        `m2,u2,${T},login,only`,
        `m1,u1,${T},login,second`,
        `m1,u9,2026-01-06T00:00:00Z,other,third`,
      ),
    );
    expect(s).toMatchObject({ rows_read: 4, imported: 2, duplicates: 2, rejected: 0 });
    expect((await storedEvents(db())).map((e) => [e.message_id, e.user_id, e.properties])).toEqual([
      ['m1', 'u1', { version: 'first' }],
      ['m2', 'u2', { version: 'only' }],
    ]);
  });

  it('keeps identical rows without ids as events of their own, numbered by occurrence', async () => {
    const content = csv(
      'user_id,timestamp,event,plan',
      `u1,${T},login,pro`,
      `u1,${T},login,pro`, // identical: a second event
      `u1,${T},login,free`, // property differs
      `u1,2026-01-05T10:00:00.001Z,login,pro`, // time differs by 1 ms
      `u2,${T},login,pro`, // user differs
      `u1,${T},logout,pro`, // event differs
      `u1,2026-01-05T12:00:00+02:00,login,pro`, // same instant written differently: a third
    );
    const s = await importFile(db(), 'same.csv', content);
    expect(s).toMatchObject({ rows_read: 7, imported: 7, duplicates: 0 });
    const ids = (await storedEvents(db())).map((e) => e.message_id);
    const first = ids.find((id) => ids.includes(`${id}_2`)) ?? '';
    expect(first).toMatch(/^h_[0-9a-f]{32}$/);
    expect(ids.filter((id) => id.startsWith(first)).sort()).toEqual([
      first,
      `${first}_2`,
      `${first}_3`,
    ]);
    expect(await importFile(db(), 'same.csv', content)).toMatchObject({
      imported: 0,
      duplicates: 7,
    });
  });

  it('imports only the new rows of a file that overlaps an earlier one', async () => {
    const all = rows(100, true);
    await importFile(db(), 'part1.csv', csv(...all.slice(0, 61)));
    const s = await importFile(db(), 'part2.csv', csv(all[0] ?? '', ...all.slice(41)));
    expect(s).toMatchObject({ rows_read: 60, imported: 40, duplicates: 20 });
    expect(await eventCount(db())).toBe(100);
  });

  it('scopes message ids to the project', async () => {
    const content = csv(...rows(10, true));
    await importFile(db(), 'p.csv', content);
    const other = await importFile(db(), 'p.csv', content, { projectId: 'other' });
    expect(other).toMatchObject({ imported: 10, duplicates: 0 });
    const counts = await db().engine.query<{ project_id: string; n: number }>(
      'SELECT project_id, count(*) AS n FROM events GROUP BY ALL ORDER BY project_id',
    );
    expect(counts).toEqual([
      { project_id: 'default', n: 10 },
      { project_id: 'other', n: 10 },
    ]);
  });

  it('hashes content the same whatever the session time zone', async () => {
    const content = csv(...rows(20, false));
    await importFile(db(), 'tz.csv', content);
    // The engine pins its session zone to UTC; a machine zone cannot leak in (see test/cli.test.ts).
    expect(await db().engine.query("SELECT current_setting('TimeZone') AS tz")).toEqual([
      { tz: 'UTC' },
    ]);
    const again = await importFile(db(), 'tz.csv', content);
    expect(again).toMatchObject({ imported: 0, duplicates: 20 });
    expect(await eventCount(db())).toBe(20);
  });

  it("replaces a file's failed_events when the fixed file is imported again", async () => {
    const broken = csv(
      'user_id,timestamp,event',
      `u1,${T},a`,
      'u2,bogus,b',
      `,${T},c`,
      `u4,${T},d,extra`,
    );
    await importFile(db(), 'fixme.csv', broken);
    await importFile(db(), 'other.csv', csv('user_id,timestamp,event', 'x,nope,y'));
    expect(await failureLines(db())).toEqual([
      [3, 'unparseable timestamp'],
      [4, 'missing user id'],
      [5, 'CSV parse error: too many columns'],
      [2, 'unparseable timestamp'],
    ]);

    // Re-importing the same broken file does not pile up copies of its failures.
    await importFile(db(), 'fixme.csv', broken);
    expect((await storedFailures(db())).length).toBe(4);

    const fixed = await importFile(
      db(),
      'fixme.csv',
      csv('user_id,timestamp,event', `u1,${T},a`, `u2,${T},b`, `u3,${T},c`, `u4,${T},d`),
    );
    expect(fixed).toMatchObject({ rows_read: 4, imported: 3, duplicates: 1, rejected: 0 });
    const failures = await storedFailures(db());
    expect(failures.map((f) => [f.source, f.line])).toEqual([[sourceOf(db(), 'other.csv'), 2]]);
    expect((await storedEvents(db())).map((e) => e.user_id)).toEqual(['u1', 'u2', 'u3', 'u4']);
  });
});
