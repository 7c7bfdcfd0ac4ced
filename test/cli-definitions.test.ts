import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'powerlens-defs-'));
const db = join(dir, 'demo.duckdb');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cliJson<T>(args: string[]): Promise<T> {
  const r = await runCli([...args, '--db', db, '--json']);
  if (r.code !== 0) throw new Error(`powerlens ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

interface Report {
  totals: { active_users: number; power_users: number };
  what_if?: {
    before: { power_users: number };
    after: { power_users: number };
    entering: number;
    leaving: number;
  };
  top_power_users: { user_id: string }[];
}

beforeAll(async () => {
  const r = await runCli([
    'demo',
    '--seed',
    '3',
    '--users',
    '800',
    '--days',
    '60',
    '--db',
    db,
    '--data-dir',
    join(dir, 'data'),
  ]);
  expect(r.code).toBe(0);
}, 60_000);

describe('users, explain and what-if on the demo data', () => {
  it('users --power --csv lists exactly the power users of the report, with plain columns', async () => {
    const report = await cliJson<Report>(['analyze']);
    const r = await runCli(['users', '--power', '--csv', '--db', db]);
    expect(r.code).toBe(0);
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {}).slice(0, 6)).toEqual([
      'user_id',
      'account_id',
      'score',
      'is_power_user',
      'criteria_met',
      'criteria_total',
    ]);
    expect(rows).toHaveLength(report.totals.power_users);
    expect(rows.every((row) => row.is_power_user === 'true')).toBe(true);
    expect(rows.map((row) => row.user_id)).toEqual(
      expect.arrayContaining(report.top_power_users.map((u) => u.user_id)),
    );
  });

  it('every verdict is decided by named criteria: passed ones for power users, failed ones otherwise', async () => {
    const out = await cliJson<{
      users: {
        is_power_user: boolean;
        reason: string;
        criteria: { decisive: boolean; passed: boolean }[];
      }[];
    }>(['users']);
    expect(out.users.length).toBeGreaterThan(300);
    for (const u of out.users) {
      const deciding = u.criteria.filter((c) => c.decisive);
      expect(deciding.length).toBeGreaterThan(0);
      expect(deciding.every((c) => c.passed === u.is_power_user)).toBe(true);
      // One phrase per deciding criterion, separated by "; ".
      expect(u.reason.split('; ')).toHaveLength(deciding.length);
    }
  });

  it('explain names the deciding criteria, in text and JSON', async () => {
    const report = await cliJson<Report>(['analyze', '--top', '1']);
    const id = report.top_power_users[0]?.user_id ?? '';
    const text = await runCli(['explain', id, '--db', db]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${id}`);
    expect(text.stdout).toContain('is a power user');
    expect(text.stdout).toMatch(/✓ frequency/);
    const json = await cliJson<{
      is_power_user: boolean;
      reason: string;
      criteria: { id: string; decisive: boolean; passed: boolean }[];
      features_used: { feature: string; uses: number }[];
    }>(['explain', id]);
    expect(json.is_power_user).toBe(true);
    expect(json.reason).toMatch(/^active \d+ of 30 days/);
    expect(json.criteria.filter((c) => c.decisive).every((c) => c.passed)).toBe(true);
    expect(json.features_used.length).toBeGreaterThan(3);
    const unknown = await runCli(['explain', 'nobody-here', '--db', db]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no user "nobody-here"');
  });

  it('analyze --set shows how the counts would change, and who enters or leaves', async () => {
    const r = await cliJson<Report>(['analyze', '--set', 'days_active.min=15']);
    const w = r.what_if;
    expect(w).toBeDefined();
    if (!w) return;
    expect(w.after.power_users).toBe(r.totals.power_users);
    expect(w.after.power_users - w.before.power_users).toBe(w.entering - w.leaving);
    expect(w.entering).toBeGreaterThan(0);
    expect(w.leaving).toBe(0); // a lower bar lets nobody out
    const text = await runCli(['analyze', '--set', 'days_active.min=15', '--db', db]);
    expect(text.stdout).toContain('What if days_active.min=15');
    const bad = await runCli(['analyze', '--set', 'days_activ.min=15', '--db', db]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('did you mean days_active?');
  });

  it('a named composite definition from the config: the top 10% by weighted rank', async () => {
    const config = join(dir, 'composite.yaml');
    writeFileSync(
      config,
      [
        'definitions:',
        '  engaged:',
        '    score:',
        '      weights: { days_active: 2, key_actions: 1, features: 1 }',
        '      cutoff: { top_percent: 10 }',
      ].join('\n'),
    );
    const r = await cliJson<Report>(['analyze', '--config', config, '--definition', 'engaged']);
    expect(r.totals.power_users).toBeGreaterThan(0);
    expect(r.totals.power_users).toBeLessThanOrEqual(Math.ceil(r.totals.active_users * 0.1));
  });

  it('warns, and still runs, when one frequency criterion makes a power user', async () => {
    const config = join(dir, 'daily.yaml');
    writeFileSync(config, 'definitions:\n  daily:\n    rule: { signal: days_active, min: 20 }\n');
    const args = ['--config', config, '--definition', 'daily', '--db', db];
    const text = await runCli(['users', '--limit', '3', ...args]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      'warning: one frequency criterion (days_active) can make a power',
    );
    expect(text.stdout).toContain('heavy-but-shallow');
    const report = await runCli(['analyze', '--no-cache', ...args]);
    expect(report.stdout).toContain('heavy-but-shallow');
    // 60 days of data: the report also says the 13 weeks of active_weeks are out of reach (the
    // default definition's consistency criterion).
    const json = await cliJson<{ history: { days: number }; warnings: { kind: string }[] }>([
      'analyze',
    ]);
    expect(json.history.days).toBe(60);
    expect(json.warnings.map((w) => w.kind)).toEqual(['history']);
  });
});

describe('catalog', () => {
  it('lists inferred features and --write saves them so the same users qualify', async () => {
    const listing = await cliJson<{
      features: { feature: string; source: string; kind: string }[];
    }>(['catalog']);
    expect(listing.features.length).toBeGreaterThan(10);
    expect(listing.features.every((f) => f.source === 'inferred')).toBe(true);
    expect(listing.features.some((f) => f.kind === 'advanced')).toBe(true);

    const config = join(dir, 'powerlens.yaml');
    writeFileSync(config, '# our settings\nsessionGapMinutes: 30\n');
    const w = await runCli(['catalog', '--write', '--config', config, '--db', db]);
    expect(w.code).toBe(0);
    const saved = readFileSync(config, 'utf8');
    expect(saved).toContain('# our settings');
    expect(saved).toContain('catalogue:');
    const before = await cliJson<Report>(['analyze']);
    const after = await cliJson<Report>(['analyze', '--config', config]);
    expect(after.totals.power_users).toBe(before.totals.power_users);
    const again = await cliJson<{ features: { source: string }[] }>([
      'catalog',
      '--config',
      config,
    ]);
    expect(again.features.every((f) => f.source === 'configured')).toBe(true);
  });
});
