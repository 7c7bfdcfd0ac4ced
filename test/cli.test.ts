import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../src/engines/duckdb/duckdb-engine.js';
import { runCli } from './helpers/run-cli.js';

/** Every object key in a JSON value, at any depth: scripts rely on plain snake_case names. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)]);
  }
  return [];
}

const dir = mkdtempSync(join(tmpdir(), 'powerlens-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('powerlens demo (end to end)', () => {
  it('finds the planted power users and none of the heavy-but-shallow ones', async () => {
    const db = join(dir, 'demo.duckdb');
    const r = await runCli([
      'demo',
      '--json',
      '--seed',
      '7',
      '--users',
      '1500',
      '--days',
      '90',
      '--db',
      db,
      '--data-dir',
      join(dir, 'demo-data'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      truth_check: {
        precision: number;
        recall: number;
        flagged_by_type: Record<string, { users: number; flagged: number }>;
      };
      report: {
        totals: { users: number; power_users: number; active_users: number };
        curves: { l30: unknown[] };
      };
    };
    // The data holds anonymous pre-sign-up visits too; they are not users.
    expect(out.report.totals.users).toBe(1500);
    expect(out.truth_check.precision).toBeGreaterThanOrEqual(0.9);
    expect(out.truth_check.recall).toBeGreaterThanOrEqual(0.9);
    expect(out.truth_check.flagged_by_type.heavy_shallow?.users).toBeGreaterThan(0);
    expect(out.truth_check.flagged_by_type.heavy_shallow?.flagged).toBe(0);
    expect(out.report.curves.l30).toHaveLength(30);
    const share = out.report.totals.power_users / out.report.totals.active_users;
    expect(share).toBeGreaterThan(0.05);
    expect(share).toBeLessThan(0.2);
  });
});

describe('powerlens demo --format parquet', () => {
  it('gives the same report from Parquet as from CSV', async () => {
    const run = async (format: string) => {
      const r = await runCli([
        'demo',
        '--json',
        '--users',
        '400',
        '--days',
        '60',
        '--format',
        format,
        '--db',
        join(dir, `demo-${format}.duckdb`),
        '--data-dir',
        join(dir, 'demo-formats'),
      ]);
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as {
        import: { format: string; imported: number };
        report: { totals: { events: number; power_users: number }; curves: { l30: unknown[] } };
      };
    };
    const csv = await run('csv');
    const parquet = await run('parquet');
    expect(csv.import.format).toBe('csv');
    expect(parquet.import.format).toBe('parquet');
    expect(parquet.import.imported).toBe(csv.import.imported);
    expect(parquet.report.totals).toEqual(csv.report.totals);
    expect(parquet.report.curves).toEqual(csv.report.curves);
  });
});

describe('powerlens import and analyze', () => {
  const csv = join(dir, 'events.csv');
  writeFileSync(
    csv,
    [
      'userId,time,name,company_id,plan',
      'a,2026-05-01T10:00:00Z,report_created,acme,pro',
      'b,1777629600,report_viewed,acme,pro',
      ',2026-05-01T10:00:00Z,report_created,acme,pro',
      'c,not a date,login,acme,pro',
    ].join('\n'),
  );
  const db = join(dir, 'cli.duckdb');

  it('imports, reports rejected rows with their lines and is idempotent', async () => {
    const first = await runCli(['import', csv, '--db', db]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/2 imported, 2 rejected, 0 duplicates skipped/);
    expect(first.stdout).toMatch(/1 missing user id \(line 4\)/);
    expect(first.stdout).toMatch(/1 unparseable timestamp \(line 5\)/);
    const again = await runCli(['import', csv, '--db', db, '--json']);
    const summary = JSON.parse(again.stdout) as { imported: number; duplicates: number };
    expect(summary).toMatchObject({ imported: 0, duplicates: 2 });
  });

  it('analyses with --as-of and --window and prints JSON with plain column names', async () => {
    const r = await runCli([
      'analyze',
      '--db',
      db,
      '--as-of',
      '2026-05-01',
      '--window',
      '7',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      as_of: string;
      window_days: number;
      totals: { active_users: number; power_users: number };
    };
    expect(report).toMatchObject({ as_of: '2026-05-01', window_days: 7 });
    expect(report.totals.active_users).toBe(2);
    expect(report.totals.power_users).toBe(0);
    expect(keysOf(report).filter((k) => !/^[a-z0-9_]+$/.test(k))).toEqual([]);
    const imp = await runCli(['import', csv, '--db', db, '--json']);
    expect(keysOf(JSON.parse(imp.stdout)).filter((k) => !/^[a-z0-9_]+$/.test(k))).toEqual([]);
  });

  it('fails with an actionable message when a column cannot be found', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'who,when,what\na,2026-05-01T10:00:00Z,x\n');
    const r = await runCli(['import', bad, '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot tell which field holds the user, time, event/);
    expect(r.stderr).toMatch(/--user FIELD/);
    const ok = await runCli([
      'import',
      bad,
      '--db',
      db,
      '--user',
      'who',
      '--time',
      'when',
      '--event',
      'what',
      '--json',
    ]);
    expect(JSON.parse(ok.stdout)).toMatchObject({ imported: 1 });
  });

  it('reads zone-less times as UTC on a machine in another time zone', async () => {
    const file = join(dir, 'zoneless.csv');
    writeFileSync(file, 'user_id,timestamp,event\nz,2026-01-05 10:00:00,e\n');
    const tokyoDb = join(dir, 'tokyo.duckdb');
    const r = await runCli(['import', file, '--db', tokyoDb], undefined, { TZ: 'Asia/Tokyo' });
    expect(r.code).toBe(0);
    const engine = await DuckDbEngine.open({ path: tokyoDb });
    const rows = await engine.query('SELECT CAST(epoch(timestamp) AS BIGINT) AS s FROM events');
    await engine.close();
    expect(rows).toEqual([{ s: Date.parse('2026-01-05T10:00:00Z') / 1000 }]);
  });

  it('refuses to read a database that does not exist, and creates none', async () => {
    const missing = join(dir, 'typo.duckdb');
    const r = await runCli(['analyze', '--db', missing]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no database at .*typo\.duckdb: import events first/);
    expect(existsSync(missing)).toBe(false);
    const p = await runCli(['analyze', '--db', db, '--project', 'nope']);
    expect(p.stderr).toMatch(/no project "nope"/);
  });

  it('rolls up events imported with --no-rollup before reporting', async () => {
    const late = join(dir, 'late.csv');
    writeFileSync(late, 'user_id,timestamp,event\nlate_user,2026-05-01T12:00:00Z,report_viewed\n');
    const lateDb = join(dir, 'late.duckdb');
    const imp = await runCli(['import', late, '--db', lateDb, '--no-rollup', '--json']);
    expect(JSON.parse(imp.stdout)).toMatchObject({ imported: 1, rollup: null });
    const r = await runCli(['analyze', '--db', lateDb, '--json']);
    const report = JSON.parse(r.stdout) as { as_of: string; totals: { active_users: number } };
    expect(report).toMatchObject({ as_of: '2026-05-01', totals: { active_users: 1 } });
  });

  it('rejects a bad --window with a clear message', async () => {
    const r = await runCli(['analyze', '--db', db, '--window', 'abc']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--window abc: use a whole number of days/);
  });
});
