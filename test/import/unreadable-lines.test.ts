import { describe, expect, it } from 'vitest';
import { csv, failureLines, importFile, storedEvents, useTempDb } from './import-helpers.js';

const db = useTempDb();

describe('lines the reader cannot read', () => {
  it('rejects a CSV line once, however many column errors it has, and keeps later lines right', async () => {
    const s = await importFile(
      db(),
      'extra.csv',
      csv(
        'message_id,timestamp,user_id,event',
        'r1,2025-03-01T10:00:00Z,u1,a',
        'r2,2025-03-01T10:00:00Z,u1,a,x,y,z', // three columns too many: one rejected line
        'r3,2025-03-01T10:00:00Z', // two missing: one rejected line
        'r4,2025-03-01T10:00:00Z,,a', // no user id, at line 5
        'r5,2025-03-01T10:00:00Z,u1,a',
      ),
    );
    expect(s).toMatchObject({ rows_read: 5, imported: 2, rejected: 3 });
    expect(await failureLines(db())).toEqual([
      [3, 'CSV parse error: too many columns'],
      [4, 'CSV parse error: missing columns'],
      [5, 'missing user id'],
    ]);
  });

  it('rejects an NDJSON line with invalid UTF-8 instead of failing the file', async () => {
    const line = (id: string, user: string) =>
      `{"message_id":"${id}","timestamp":"2025-03-01T10:00:00Z","user_id":"${user}","event":"a"}`;
    const content = Buffer.concat([
      Buffer.from(`${line('n1', 'u1')}\n`),
      Buffer.from('{"message_id":"n2","timestamp":"2025-03-01T10:00:00Z","user_id":"u'),
      Buffer.from([0xff]),
      Buffer.from('1","event":"a"}\n'),
      Buffer.from(`${line('n3', 'u3')}\n`),
      Buffer.from('{"broken": \n'),
      Buffer.from(`${line('n5', 'u5')}\n`),
    ]);
    const s = await importFile(db(), 'bad-utf8.ndjson', content);
    expect(s).toMatchObject({ imported: 3, rejected: 2 });
    expect((await storedEvents(db())).map((e) => e.message_id)).toEqual(['n1', 'n3', 'n5']);
    expect(await failureLines(db())).toEqual([
      [2, 'unreadable line: invalid encoding'],
      [4, 'malformed JSON (not an object on one line)'],
    ]);
  });
});
