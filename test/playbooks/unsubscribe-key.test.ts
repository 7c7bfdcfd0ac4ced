import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../src/engines/duckdb/duckdb-engine.js';
import { unsubscribeKey } from '../../src/playbooks/unsubscribe-token.js';

/*
 * The unsubscribe key kept in instance_settings (migration 12): when it cannot be kept, the error
 * says why and what to do, since every e-mail's one-click link depends on it.
 */
describe('the unsubscribe key', () => {
  it('names the missing migration and the fix on a database that was never migrated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'powerlens-key-'));
    const engine = await DuckDbEngine.open({ path: join(dir, 'old.duckdb') });
    try {
      await expect(unsubscribeKey(engine)).rejects.toThrow(
        /could not be kept in the table instance_settings.*migration 12.*--db PATH/,
      );
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps one key: a second call returns the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'powerlens-key-'));
    const engine = await DuckDbEngine.open({ path: join(dir, 'new.duckdb') });
    try {
      await engine.migrate();
      const first = await unsubscribeKey(engine);
      expect(first.length).toBe(32);
      expect((await unsubscribeKey(engine)).equals(first)).toBe(true);
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
