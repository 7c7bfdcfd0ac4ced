import { describe, expect, it } from 'vitest';
import type { QueryProgress } from '../../src/engines/engine.js';
import { runImport } from '../../src/ingest/import/run-import.js';
import { useTempDb } from './import-helpers.js';

const db = useTempDb();

const ROWS = 200_000;

/** ROWS events, ids growing longer down the file as real ones do. */
function eventsCsv(): string {
  const lines = ['user_id,timestamp,event,plan'];
  for (let i = 0; i < ROWS; i++) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    lines.push(
      `user-${i % 9000},2026-05-${day}T10:${String(i % 60).padStart(2, '0')}:00Z,e${i % 11},p${i}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('import progress tells the truth', () => {
  it('never counts more rows than the file has, never goes back, and ends at 100% and the rows read', async () => {
    const path = db().file('events.csv', eventsCsv());
    const seen: QueryProgress[] = [];
    const s = await runImport(db().engine, {
      path,
      projectId: 'default',
      timeZone: 'UTC',
      now: new Date('2026-11-01T00:00:00Z'),
      onProgress: (p) => seen.push(p),
      progressIntervalMs: 5,
    });
    expect(s.rows_read).toBe(ROWS);
    const running = seen.slice(0, -1);
    // The append was seen while it ran, not only at its end.
    expect(running.some((p) => p.percentage > 0 && p.rowsProcessed > 0)).toBe(true);
    expect(Math.max(...seen.map((p) => p.rowsProcessed))).toBeLessThanOrEqual(ROWS);
    for (const p of seen) {
      expect(p.totalRows).toBe(ROWS);
      expect(p.percentage).toBeGreaterThanOrEqual(0);
      expect(p.percentage).toBeLessThanOrEqual(100);
    }
    for (const [i, p] of seen.entries()) {
      if (i === 0) continue;
      const before = seen[i - 1] as QueryProgress;
      expect(p.percentage).toBeGreaterThanOrEqual(before.percentage);
      expect(p.rowsProcessed).toBeGreaterThanOrEqual(before.rowsProcessed);
    }
    // 100% is said once, at the end, with exactly the rows read.
    expect(running.every((p) => p.percentage < 100)).toBe(true);
    expect(seen.at(-1)).toEqual({ percentage: 100, rowsProcessed: ROWS, totalRows: ROWS });
  });
});
