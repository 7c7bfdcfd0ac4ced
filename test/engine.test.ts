import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../src/engines/duckdb/duckdb-engine.js';
import { DUCKDB_MIGRATIONS } from '../src/engines/duckdb/migrations.js';
import { openTempDb, type TempDb } from './helpers/temp-db.js';

let db: TempDb;
beforeEach(async () => {
  db = await openTempDb();
});
afterEach(async () => {
  await db.cleanup();
});

describe('DuckDB engine', () => {
  it('applies migrations once and records them', async () => {
    const again = await db.engine.migrate();
    expect(again.applied).toEqual([]);
    expect(again.to).toBe(DUCKDB_MIGRATIONS.at(-1)?.version);
    const rows = await db.engine.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(rows.map((r) => r.version)).toEqual(DUCKDB_MIGRATIONS.map((m) => m.version));
  });

  it('keeps data in the file across reopening', async () => {
    await db.engine.run("INSERT INTO projects (project_id, name) VALUES ('p2', 'two')");
    await db.engine.close();
    const reopened = await DuckDbEngine.open({ path: db.dbPath });
    expect(await reopened.migrate()).toMatchObject({ applied: [] });
    const rows = await reopened.query("SELECT name FROM projects WHERE project_id = 'p2'");
    expect(rows).toEqual([{ name: 'two' }]);
    db.engine = reopened;
  });

  it('binds values instead of splicing them into SQL', async () => {
    const hostile = "x'); DROP TABLE events; --";
    await db.engine.run('INSERT INTO projects (project_id, name) VALUES ($id, $name)', {
      id: 'p3',
      name: hostile,
    });
    const rows = await db.engine.query('SELECT name FROM projects WHERE project_id = $id', {
      id: 'p3',
    });
    expect(rows).toEqual([{ name: hostile }]);
    expect(await db.engine.query('SELECT count(*) AS n FROM events')).toEqual([{ n: 0 }]);
  });

  it('rolls a failed transaction back entirely', async () => {
    await expect(
      db.engine.transaction(async () => {
        await db.engine.run("INSERT INTO projects (project_id, name) VALUES ('p4', 'four')");
        await db.engine.run('SELECT * FROM no_such_table');
      }),
    ).rejects.toThrow(/no_such_table/);
    expect(await db.engine.query("SELECT * FROM projects WHERE project_id = 'p4'")).toEqual([]);
  });

  it('joins a transaction started inside another to it: the outer one decides for both', async () => {
    await expect(
      db.engine.transaction(async () => {
        await db.engine.transaction(() =>
          db.engine.run("INSERT INTO projects (project_id, name) VALUES ('p5', 'five')"),
        );
        await db.engine.run('SELECT * FROM no_such_table');
      }),
    ).rejects.toThrow(/no_such_table/);
    expect(await db.engine.query("SELECT * FROM projects WHERE project_id = 'p5'")).toEqual([]);
    await db.engine.transaction(() =>
      db.engine.transaction(() =>
        db.engine.run("INSERT INTO projects (project_id, name) VALUES ('p6', 'six')"),
      ),
    );
    expect(await db.engine.query("SELECT name FROM projects WHERE project_id = 'p6'")).toEqual([
      { name: 'six' },
    ]);
  });

  it('applies a memory limit and refuses a malformed one', async () => {
    const e = await DuckDbEngine.open({ path: ':memory:', memoryLimit: '512MB' });
    const [row] = await e.query<{ v: string }>("SELECT current_setting('memory_limit') AS v");
    await e.close();
    expect(row?.v).toMatch(/^(488\.2 MiB|512\.0 MB|512MB)$/);
    await expect(DuckDbEngine.open({ path: ':memory:', memoryLimit: 'lots' })).rejects.toThrow(
      /memory limit "lots" is not understood/,
    );
  });

  it('pins the session time zone to UTC', async () => {
    expect(await db.engine.query("SELECT current_setting('TimeZone') AS tz")).toEqual([
      { tz: 'UTC' },
    ]);
  });
});

describe('one connection, many callers', () => {
  it('keeps a statement from outside out of a transaction that is running', async () => {
    await db.engine.run('CREATE TABLE t (v INTEGER)');
    let inside: () => void = () => undefined;
    const started = new Promise<void>((r) => {
      inside = r;
    });
    const tx = db.engine
      .transaction(async () => {
        await db.engine.run('INSERT INTO t VALUES (1)');
        inside();
        await new Promise((r) => setTimeout(r, 50)); // the other caller comes in now
        throw new Error('roll back');
      })
      .catch(() => 'rolled back');
    await started;
    const outside = db.engine.run('INSERT INTO t VALUES (2)');
    expect(await tx).toBe('rolled back');
    await outside;
    // The outside insert waited for its turn: the rollback did not take it away.
    expect(await db.engine.query('SELECT v FROM t')).toEqual([{ v: 2 }]);
  });
});
