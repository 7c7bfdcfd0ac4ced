import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';
import { startServe } from './helpers/serve-child.js';

/**
 * A live server and the CLI on one database: while `serve` holds the DuckDB file, every command
 * reaches it and works as on the file; nothing deletes or replaces a database a server holds;
 * the server is not ready once its file is gone; and the server prints a dashboard link for each
 * project with keys.
 */
const dir = mkdtempSync(join(tmpdir(), 'powerlens-serving-'));
const db = join(dir, 'live.duckdb');
let server: { child: ChildProcess; base: string; output: () => string };

const cli = (...args: string[]) => runCli([...args, '--db', db]);
const exitOf = (child: ChildProcess) =>
  new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', () => done());
  });

beforeAll(async () => {
  const demo = await runCli([
    'demo',
    '--db',
    db,
    '--users',
    '150',
    '--days',
    '40',
    '--data-dir',
    join(dir, 'demo'),
    '--json',
  ]);
  expect(demo.code).toBe(0);
  const before = await cli('analyze', '--json');
  expect(before.code).toBe(0);
  expect(await cli('projects', 'create', 'Shop')).toMatchObject({ code: 0 });
  server = await startServe(['--db', db]);
}, 180_000);
afterAll(async () => {
  if (server) {
    const exited = exitOf(server.child);
    server.child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('the CLI while serve runs', () => {
  it('reads through the server what it reads from the file', async () => {
    const analyze = await cli('analyze', '--json');
    expect(analyze.stderr).not.toContain('in use');
    expect(analyze.code).toBe(0);
    const report = JSON.parse(analyze.stdout);
    expect(report.totals.power_users).toBeGreaterThan(0);
    const users = await cli('users', '--json');
    expect(users.code).toBe(0);
    const first = JSON.parse(users.stdout).users[0];
    expect((await cli('explain', first.user_id)).code).toBe(0);
    expect((await cli('snapshot', '--json')).code).toBe(0);
    const lifecycle = await cli('lifecycle', '--json');
    expect(lifecycle.code).toBe(0);
    expect((await cli('accounts', '--json')).code).toBe(0);
    expect((await cli('failed-events', '--json')).code).toBe(0);
    expect((await cli('catalog', '--json')).code).toBe(0);
    const projects = await cli('projects', 'list', '--json');
    expect(JSON.parse(projects.stdout).map((p: { project_id: string }) => p.project_id)).toContain(
      'shop',
    );
  }, 120_000);

  it('imports through the server, and the server keeps serving', async () => {
    const file = join(dir, 'more.csv');
    writeFileSync(
      file,
      'timestamp,user_id,event\n2026-11-29T10:00:00Z,new-user,report_exported\n2026-11-29T11:00:00Z,new-user,report_exported\n',
    );
    const imported = await cli('import', file, '--json');
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout).imported).toBe(2);
    expect((await fetch(`${server.base}/readyz`)).status).toBe(200);
  }, 60_000);

  it('names the project that has events when the chosen one is empty', async () => {
    const r = await cli('analyze', '--project', 'shop');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('project shop has no events yet, but default has');
    expect(r.stderr).toContain('--project default');
  });

  it('prints a dashboard link for every project with keys', async () => {
    await new Promise((r) => setTimeout(r, 200));
    expect(server.output()).toMatch(/Dashboard for project shop: http/);
  });
});

describe('a database a server holds', () => {
  it('is never replaced: demo and a second serve are refused, the server stays ready', async () => {
    const size = statSync(db).size;
    const demo = await runCli(['demo', '--db', db, '--force', '--data-dir', join(dir, 'demo')]);
    expect(demo.code).toBe(1);
    expect(demo.stderr).toMatch(/held by powerlens serve \(pid \d+/);
    await expect(startServe(['--db', db])).rejects.toThrow(/held by powerlens serve/);
    expect(statSync(db).size).toBeGreaterThanOrEqual(size);
    expect((await fetch(`${server.base}/readyz`)).status).toBe(200);
  }, 60_000);

  it('makes the server not ready once the file is gone', async () => {
    rmSync(db);
    const ready = await fetch(`${server.base}/readyz`);
    expect(ready.status).toBe(503);
  });
});
