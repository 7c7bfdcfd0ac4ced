import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../src/engines/duckdb/duckdb-engine.js';
import type { ImportSummary } from '../../src/ingest/import/run-import.js';
import { runCli } from '../helpers/run-cli.js';

/**
 * Identical rows in one file are separate events (two votes on one day, two clicks in one
 * second): a real export lost 148 of 9,351 rows when they were taken for duplicates. Through the
 * real `powerlens import` on a real DuckDB file.
 */
let dir: string;
let db: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'powerlens-identical-'));
  db = join(dir, 'events.duckdb');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const VOTE = 'u1,2026-05-01T10:00:00Z,voted,feature-42';

async function importCsv(name: string, ...rows: string[]): Promise<ImportSummary> {
  const path = join(dir, name);
  writeFileSync(path, `user_id,timestamp,event,item\n${rows.join('\n')}\n`);
  const r = await runCli(['import', path, '--db', db, '--json', '--no-rollup']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as ImportSummary;
}

async function storedIds(): Promise<string[]> {
  const engine = await DuckDbEngine.open({ path: db });
  try {
    const rows = await engine.query<{ message_id: string }>(
      'SELECT message_id FROM events ORDER BY message_id',
    );
    return rows.map((r) => r.message_id);
  } finally {
    await engine.close();
  }
}

describe('identical rows without a message id', () => {
  it('are all imported, and importing the file again adds nothing', async () => {
    const first = await importCsv('votes.csv', VOTE, VOTE);
    expect(first).toMatchObject({ rows_read: 2, imported: 2, duplicates: 0, rejected: 0 });
    const again = await importCsv('votes.csv', VOTE, VOTE);
    expect(again).toMatchObject({ rows_read: 2, imported: 0, duplicates: 2 });
    const ids = await storedIds();
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(`${ids[0]}_2`);
  });

  it('add only the copies beyond those stored when a later file holds more or fewer of them', async () => {
    const other = 'u2,2026-05-01T10:00:00Z,voted,feature-42';
    expect(await importCsv('two.csv', VOTE, VOTE)).toMatchObject({ imported: 2 });
    // A superset: the third copy is new, the first two are known.
    expect(await importCsv('three.csv', VOTE, other, VOTE, VOTE)).toMatchObject({
      rows_read: 4,
      imported: 2,
      duplicates: 2,
    });
    // A subset: nothing new.
    expect(await importCsv('one.csv', VOTE)).toMatchObject({ imported: 0, duplicates: 1 });
    expect(await storedIds()).toHaveLength(4);
  });
});

describe('rows with a message id', () => {
  it('are still deduplicated by the id, within the file and across imports', async () => {
    const path = join(dir, 'ids.csv');
    writeFileSync(
      path,
      [
        'message_id,user_id,timestamp,event',
        'm1,u1,2026-05-01T10:00:00Z,voted',
        'm1,u1,2026-05-01T10:00:00Z,voted',
        'm2,u1,2026-05-01T10:00:00Z,voted',
        '',
      ].join('\n'),
    );
    const run = async () => {
      const r = await runCli(['import', path, '--db', db, '--json', '--no-rollup']);
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as ImportSummary;
    };
    expect(await run()).toMatchObject({ rows_read: 3, imported: 2, duplicates: 1 });
    expect(await run()).toMatchObject({ rows_read: 3, imported: 0, duplicates: 3 });
    expect(await storedIds()).toEqual(['m1', 'm2']);
  });
});
