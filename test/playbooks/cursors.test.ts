import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCursors, saveCursors } from '../../src/playbooks/cursors.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

let db: TempDb;
beforeAll(async () => {
  db = await openTempDb();
});
afterAll(async () => {
  await db.cleanup();
});

describe('playbook cursors', () => {
  it('keep the latest period each playbook reached, per project, and never move back', async () => {
    const now = new Date('2026-02-20T00:00:00Z');
    await saveCursors(db.engine, 'default', new Map([['risk', '2026-02-09']]), now);
    await saveCursors(
      db.engine,
      'default',
      new Map([
        ['risk', '2026-02-02'],
        ['welcome', '2026-02-02'],
      ]),
      now,
    );
    await saveCursors(db.engine, 'other', new Map([['risk', '2026-01-05']]), now);
    expect(await readCursors(db.engine, 'default')).toEqual(
      new Map([
        ['risk', '2026-02-09'],
        ['welcome', '2026-02-02'],
      ]),
    );
    expect(await readCursors(db.engine, 'other')).toEqual(new Map([['risk', '2026-01-05']]));
  });
});
