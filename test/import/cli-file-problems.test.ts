import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../src/engines/duckdb/duckdb-engine.js';
import { runCli } from '../helpers/run-cli.js';

/**
 * Files that are not what their name says, and field names that need escaping, through the real
 * `powerlens import`: each fails with a sentence that names the file and what to do (never "0
 * imported, 0 rejected", never the SQL DuckDB was given), or imports what it holds.
 */
const dir = mkdtempSync(join(tmpdir(), 'powerlens-import-problems-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = (user: string, event: string) =>
  `${JSON.stringify({ user_id: user, timestamp: '2026-05-01T10:00:00Z', event })}\n`;
const NDJSON = line('u1', 'a') + line('u2', 'b');

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** A text start, then bytes that look like nothing: 0xFF, NUL and a fixed pseudo-random run. */
function binary(textStart: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let x = 0x2545f491;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return Buffer.concat([Buffer.from(textStart), Buffer.from([0xff, 0x00]), out]);
}

async function storedEvents(db: string): Promise<{ user_id: string; event: string }[]> {
  const engine = await DuckDbEngine.open({ path: db });
  try {
    return await engine.query<{ user_id: string; event: string }>(
      'SELECT user_id, event FROM events ORDER BY user_id',
    );
  } finally {
    await engine.close();
  }
}

/** A failed import: exit code 1, one readable sentence, no SQL, nothing stored. */
async function expectRefused(file: string, extra: string[] = []): Promise<string> {
  const db = join(dir, `${Math.random().toString(36).slice(2)}.duckdb`);
  const r = await runCli(['import', file, '--db', db, '--no-rollup', ...extra]);
  expect(r.code, r.stdout).toBe(1);
  expect(r.stdout).not.toMatch(/imported/);
  expect(r.stderr).toContain(file);
  expect(r.stderr).not.toMatch(/LINE \d+:|SELECT|read_parquet|read_csv|\$path|\^/);
  expect(await storedEvents(db)).toEqual([]);
  return r.stderr;
}

describe('powerlens import: a file that is not what its name says', () => {
  it('refuses gzip-compressed NDJSON named .ndjson, saying how to read it, and reads it named .gz', async () => {
    const file = write('events.ndjson', gzipSync(NDJSON));
    const stderr = await expectRefused(file);
    expect(stderr).toContain(`${file} looks gzip-compressed, not like an NDJSON file`);
    expect(stderr).toContain(`gunzip -c ${file} > ${join(dir, 'events-plain.ndjson')}`);
    expect(stderr).toContain('name it events.ndjson.gz');

    // The same with --format ndjson and another name.
    const other = write('export.data', gzipSync(NDJSON));
    expect(await expectRefused(other, ['--format', 'ndjson'])).toContain('looks gzip-compressed');

    const named = write('events.ndjson.gz', readFileSync(file));
    const db = join(dir, 'gz.duckdb');
    const ok = await runCli(['import', named, '--db', db, '--no-rollup', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ imported: 2, rejected: 0 });
  });

  it('refuses binary data as NDJSON and as CSV, with the byte where it starts', async () => {
    const nd = write('random.ndjson', binary('{"user_id":', 4096));
    expect(await expectRefused(nd)).toContain(
      `${nd} is not text (binary data at byte 11): an NDJSON file must be UTF-8 text`,
    );
    const csv = write('random.csv', binary('user_id,timestamp,event\n', 4096));
    expect(await expectRefused(csv)).toContain(
      `${csv} is not text (binary data at byte 24): a CSV file must be UTF-8 text`,
    );
  });

  it('refuses NDJSON none of whose lines is UTF-8, naming the first bad byte', async () => {
    const latin1 = Buffer.concat(
      ['u1', 'u2', 'u3'].map((u) =>
        Buffer.concat([
          Buffer.from(`{"user_id":"${u}","timestamp":"2026-05-01T10:00:00Z","event":"caf`),
          Buffer.from([0xe9]),
          Buffer.from('"}\n'),
        ]),
      ),
    );
    const file = write('latin1.ndjson', latin1);
    const stderr = await expectRefused(file);
    expect(stderr).toContain(`${file} is not UTF-8 text (byte 0xE9 at byte 63 is not UTF-8`);
    expect(stderr).toContain('iconv -f latin1 -t utf-8');
  });

  it('says a Parquet file given as NDJSON is Parquet', async () => {
    const file = write('events.jsonl', Buffer.concat([Buffer.from('PAR1'), binary('', 512)]));
    expect(await expectRefused(file)).toContain(
      `${file} looks like a Parquet file, not NDJSON: import it with --format parquet`,
    );
  });
});

describe('powerlens import: DuckDB errors as sentences, never SQL', () => {
  it('a corrupt Parquet file: what is wrong with it, in one line, and what to try', async () => {
    const file = write('corrupt.parquet', Buffer.from('PAR1 this is not a parquet body PAR1'));
    const stderr = await expectRefused(file);
    expect(stderr).toMatch(
      new RegExp(
        `^error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a readable Parquet file \\(DuckDB: [^\\n]+\\): check the file, or pass --format csv or ndjson if it is not Parquet\\.\\n$`,
      ),
    );
  });

  it('a Parquet file damaged after its schema: the import stops, stores nothing, and says why', async () => {
    const good = join(dir, 'good.parquet');
    const engine = await DuckDbEngine.open({ path: ':memory:' });
    try {
      await engine.exportParquet(
        `SELECT 'u' || (i % 100) AS user_id,
           TIMESTAMPTZ '2026-05-01 00:00:00+00' + to_seconds(i) AS timestamp,
           'e' || (i % 7) || repeat('x', CAST(hash(i) % 50 AS INTEGER)) AS event
         FROM range(50000) t(i)`,
        {},
        good,
      );
    } finally {
      await engine.close();
    }
    // The footer (schema, row groups) stays whole; the data pages are damaged.
    const bytes = readFileSync(good);
    for (let i = 2000; i < bytes.length - 2000; i += 97) bytes[i] = (bytes[i] as number) ^ 0x5a;
    const file = write('damaged.parquet', bytes);
    const stderr = await expectRefused(file);
    expect(stderr).toContain(
      `${file} could not be read to the end as a Parquet file, so nothing was imported (DuckDB: `,
    );
  });
});

describe('powerlens import: field names that need escaping in a JSON path', () => {
  it('imports with --event naming a key that holds a backslash and a quote', async () => {
    const key = 'ev\\"t';
    const file = write(
      'odd-key.ndjson',
      `${JSON.stringify({ user_id: 'u1', timestamp: '2026-05-01T10:00:00Z', [key]: 'clicked' })}\n${JSON.stringify({ user_id: 'u2', timestamp: '2026-05-01T11:00:00Z', [key]: 'opened', '*': 'star' })}\n`,
    );
    const db = join(dir, 'odd-key.duckdb');
    const r = await runCli(['import', file, '--db', db, '--no-rollup', '--event', key, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ imported: 2, rejected: 0 });
    expect(await storedEvents(db)).toEqual([
      { user_id: 'u1', event: 'clicked' },
      { user_id: 'u2', event: 'opened' },
    ]);
  });

  it('imports with --event naming a key "*", which a $."*" path would read as every value', async () => {
    const file = write(
      'star-key.ndjson',
      `${JSON.stringify({ user_id: 'u1', timestamp: '2026-05-01T10:00:00Z', '*': 'clicked', other: 'x' })}\n`,
    );
    const db = join(dir, 'star-key.duckdb');
    const r = await runCli(['import', file, '--db', db, '--no-rollup', '--event', '*', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(await storedEvents(db)).toEqual([{ user_id: 'u1', event: 'clicked' }]);
  });
});
