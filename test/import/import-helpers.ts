import { afterEach, beforeEach, expect } from 'vitest';
import {
  type ImportOptions,
  type ImportSummary,
  runImport,
} from '../../src/ingest/import/run-import.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/** The import clock: events after NOW + 1 day are out of range. */
export const NOW = new Date('2026-11-20T00:00:00Z');

/** Opens a fresh migrated database for every test; `db()` returns the current one. */
export function useTempDb(): () => TempDb {
  let db: TempDb | undefined;
  beforeEach(async () => {
    db = await openTempDb();
  });
  afterEach(async () => {
    await db?.cleanup();
    db = undefined;
  });
  return () => {
    if (!db) throw new Error('no temp db: call inside a test');
    return db;
  };
}

export type ImportExtra = Partial<Omit<ImportOptions, 'path'>>;

/** Writes `content` into the temp dir (unless it is null: the file already exists) and imports it. */
export async function importFile(
  db: TempDb,
  name: string,
  content: string | Buffer | null,
  extra: ImportExtra = {},
): Promise<ImportSummary> {
  const path = content === null ? `${db.dir}/${name}` : db.file(name, content);
  const summary = await runImport(db.engine, {
    path,
    projectId: 'default',
    timeZone: 'UTC',
    now: NOW,
    ...extra,
  });
  expectCountsAddUp(summary);
  return summary;
}

/** "N imported, M rejected": every row read is imported, a duplicate, or rejected for a reason. */
export function expectCountsAddUp(s: ImportSummary): void {
  expect(s.imported + s.duplicates + s.rejected).toBe(s.rows_read);
  expect(s.reasons.reduce((n, r) => n + r.rows, 0)).toBe(s.rejected);
  for (const r of s.reasons) {
    expect(r.example_lines.length).toBe(Math.min(3, r.rows));
    expect([...r.example_lines].sort((a, b) => a - b)).toEqual(r.example_lines);
  }
}

export const csv = (...lines: string[]): string => `${lines.join('\n')}\n`;
export const ndjson = (...rows: unknown[]): string =>
  `${rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n')}\n`;

export interface StoredEvent {
  project_id: string;
  message_id: string;
  timestamp: string;
  user_id: string | null;
  anonymous_id: string | null;
  account_id: string | null;
  event: string;
  properties: unknown;
  source: string;
  received_at: string;
}

/** Every stored event, properties parsed, in a stable order. */
export async function storedEvents(db: TempDb): Promise<StoredEvent[]> {
  const rows = await db.engine.query<Record<string, unknown>>(
    `SELECT project_id, message_id, timestamp, user_id, anonymous_id, account_id, event,
       CAST(properties AS VARCHAR) AS properties, source, received_at
     FROM events ORDER BY timestamp, user_id, event, message_id`,
  );
  return rows.map((r) => ({
    ...(r as unknown as StoredEvent),
    properties: typeof r.properties === 'string' ? JSON.parse(r.properties) : r.properties,
  }));
}

export async function eventCount(db: TempDb): Promise<number> {
  const rows = await db.engine.query<{ n: number }>('SELECT count(*) AS n FROM events');
  return rows[0]?.n ?? -1;
}

export interface StoredFailure {
  source: string;
  line: number;
  reason: string;
  raw: string;
}

export async function storedFailures(db: TempDb): Promise<StoredFailure[]> {
  return db.engine.query<StoredFailure & Record<string, unknown>>(
    `SELECT source, source_line AS line, reason, raw FROM failed_events
     WHERE project_id = 'default' ORDER BY source, source_line, reason`,
  );
}

/** Failures as [line, reason] pairs, the usual thing to compare. */
export async function failureLines(db: TempDb): Promise<[number, string][]> {
  return (await storedFailures(db)).map((f) => [f.line, f.reason]);
}

export async function dirtyDays(db: TempDb, projectId = 'default'): Promise<string[]> {
  const rows = await db.engine.query<{ day: string }>(
    `SELECT strftime(day, '%Y-%m-%d') AS day FROM rollup_dirty_days WHERE project_id = $p
     ORDER BY day`,
    { p: projectId },
  );
  return rows.map((r) => r.day);
}

/** Reason -> rows, ignoring order. */
export function reasonCounts(s: ImportSummary): Record<string, number> {
  return Object.fromEntries(s.reasons.map((r) => [r.reason, r.rows]));
}

export function reasonLines(s: ImportSummary): Record<string, number[]> {
  return Object.fromEntries(s.reasons.map((r) => [r.reason, r.example_lines]));
}

/** The absolute source tag an import writes. */
export const sourceOf = (db: TempDb, name: string): string => `file:${db.dir}/${name}`;
