import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbEngine } from '../../src/engines/duckdb/duckdb-engine.js';

export interface TempDb {
  dir: string;
  dbPath: string;
  engine: DuckDbEngine;
  /** Writes a file into the temp dir and returns its path. */
  file(name: string, content: string | Buffer): string;
  cleanup(): Promise<void>;
}

/** A real DuckDB file in a fresh temp directory, migrated. */
export async function openTempDb(): Promise<TempDb> {
  const dir = mkdtempSync(join(tmpdir(), 'powerlens-test-'));
  const dbPath = join(dir, 'test.duckdb');
  const engine = await DuckDbEngine.open({ path: dbPath });
  await engine.migrate();
  const db: TempDb = {
    dir,
    dbPath,
    engine,
    file(name, content) {
      const p = join(dir, name);
      writeFileSync(p, content);
      return p;
    },
    async cleanup() {
      // The test may have reopened the file: close whichever engine is current.
      await db.engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return db;
}
