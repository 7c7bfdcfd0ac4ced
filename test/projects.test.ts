import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../src/engines/duckdb/duckdb-engine.js';
import { generateKey, hashKey, scopeOf } from '../src/projects/api-keys.js';
import {
  createProject,
  listProjects,
  projectIdFor,
  verifyKey,
} from '../src/projects/run-projects.js';
import { runCli } from './helpers/run-cli.js';
import { openTempDb, type TempDb } from './helpers/temp-db.js';

let db: TempDb;
beforeEach(async () => {
  db = await openTempDb();
});
afterEach(async () => {
  await db.cleanup();
});

describe('project keys', () => {
  it('are random, scoped by prefix, and verify to their own project and scope only', async () => {
    const a = await createProject(db.engine, { name: 'Acme App', timeZone: 'UTC' });
    const b = await createProject(db.engine, { name: 'Beta Corp', timeZone: 'Europe/Berlin' });
    expect(a.project_id).toBe('acme-app');
    expect(a.write_key).toMatch(/^plw_[0-9A-Za-z]{32}$/);
    expect(a.read_key).toMatch(/^plr_[0-9A-Za-z]{32}$/);
    expect(new Set([a.write_key, a.read_key, b.write_key, b.read_key]).size).toBe(4);
    expect(await verifyKey(db.engine, a.write_key)).toMatchObject({
      project_id: 'acme-app',
      scope: 'write',
    });
    expect(await verifyKey(db.engine, b.read_key)).toMatchObject({
      project_id: 'beta-corp',
      scope: 'read',
    });
  });

  it('refuse anything else: a changed character, a wrong prefix, garbage, a revoked key', async () => {
    const a = await createProject(db.engine, { name: 'Acme', timeZone: 'UTC' });
    const last = a.write_key.at(-1) === 'x' ? 'y' : 'x';
    expect(await verifyKey(db.engine, `${a.write_key.slice(0, -1)}${last}`)).toBeNull();
    expect(await verifyKey(db.engine, `plr_${a.write_key.slice(4)}`)).toBeNull();
    expect(await verifyKey(db.engine, "' OR 1=1 --")).toBeNull();
    expect(await verifyKey(db.engine, '')).toBeNull();
    await db.engine.run('UPDATE api_keys SET revoked_at = current_timestamp WHERE scope = $s', {
      s: 'write',
    });
    expect(await verifyKey(db.engine, a.write_key)).toBeNull();
    expect(await verifyKey(db.engine, a.read_key)).not.toBeNull();
  });

  it('are stored as digests only: the database file never holds a key', async () => {
    const a = await createProject(db.engine, { name: 'Acme', timeZone: 'UTC' });
    const rows = await db.engine.query<{ key_hash: string }>(
      'SELECT key_hash FROM api_keys ORDER BY scope',
    );
    expect(rows.map((r) => r.key_hash)).toEqual([hashKey(a.read_key), hashKey(a.write_key)]);
    await db.engine.run('CHECKPOINT');
    await db.engine.close();
    const bytes = readFileSync(db.dbPath);
    expect(bytes.includes(Buffer.from(a.write_key))).toBe(false);
    expect(bytes.includes(Buffer.from(a.read_key))).toBe(false);
    expect(bytes.includes(Buffer.from(hashKey(a.write_key)))).toBe(true);
    db.engine = await DuckDbEngine.open({ path: db.dbPath });
    expect(await verifyKey(db.engine, a.write_key)).toMatchObject({ project_id: 'acme' });
  });

  it('names: ids from names, duplicates and empty ids refused', async () => {
    expect(projectIdFor('Café Crème (EU) 2')).toBe('cafe-creme-eu-2');
    await createProject(db.engine, { name: 'Acme', timeZone: 'UTC' });
    await expect(createProject(db.engine, { name: 'ACME', timeZone: 'UTC' })).rejects.toThrow(
      'a project "acme" already exists',
    );
    await expect(createProject(db.engine, { name: '!!!', timeZone: 'UTC' })).rejects.toThrow(
      'no letters or digits',
    );
    const listed = await listProjects(db.engine);
    expect(listed.map((p) => [p.project_id, p.keys.map((k) => k.scope)])).toEqual([
      ['acme', ['read', 'write']],
      ['default', []],
    ]);
  });

  it('prefixes name the scope; keys spread over the whole alphabet', () => {
    expect(scopeOf(generateKey('admin'))).toBe('admin');
    expect(scopeOf('plw_short')).toBeNull();
    const seen = new Set(
      [...Array.from({ length: 50 }, () => generateKey('write').slice(4))].join(''),
    );
    expect(seen.size).toBe(62);
  });
});

describe('powerlens projects (CLI)', () => {
  it('create prints both keys once; list shows key ids, never keys', async () => {
    // The CLI is another process: this test's engine lets go of the file first.
    await db.engine.close();
    const created = await runCli(['projects', 'create', 'Acme App', '--db', db.dbPath, '--json']);
    expect(created.stderr).toBe('');
    const p = JSON.parse(created.stdout) as {
      project_id: string;
      write_key: string;
      read_key: string;
    };
    expect(Object.keys(p).sort()).toEqual([
      'name',
      'project_id',
      'read_key',
      'time_zone',
      'write_key',
    ]);
    const list = await runCli(['projects', 'list', '--db', db.dbPath]);
    expect(list.stdout).toContain('acme-app');
    expect(list.stdout).toContain(p.write_key.slice(0, 10));
    expect(list.stdout).not.toContain(p.write_key);
    const again = await runCli(['projects', 'create', 'Acme App', '--db', db.dbPath]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    db.engine = await DuckDbEngine.open({ path: db.dbPath });
  });
});
