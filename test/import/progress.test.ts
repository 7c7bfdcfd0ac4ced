import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDemo } from '../../src/demo/generate-demo.js';
import type { QueryProgress } from '../../src/engines/engine.js';
import { runImport } from '../../src/ingest/import/run-import.js';
import { useTempDb } from './import-helpers.js';

const db = useTempDb();

describe('import progress', () => {
  it('reports rising progress with row counts while a file is appended', async () => {
    const dir = db().dir;
    const csv = join(dir, 'events.csv');
    await generateDemo({
      seed: 3,
      users: 1500,
      days: 60,
      end: '2026-10-31',
      outPath: csv,
      truthPath: join(dir, 'truth.json'),
    });
    const seen: QueryProgress[] = [];
    const s = await runImport(db().engine, {
      path: csv,
      projectId: 'default',
      timeZone: 'UTC',
      now: new Date('2026-11-01T00:00:00Z'),
      onProgress: (p) => seen.push(p),
      progressIntervalMs: 10,
    });
    expect(s.imported).toBeGreaterThan(100_000);
    const moving = seen.filter((p) => p.percentage > 0 && p.percentage <= 100);
    expect(moving.length).toBeGreaterThan(0);
    expect(moving.some((p) => p.rowsProcessed > 0)).toBe(true);
  });
});
