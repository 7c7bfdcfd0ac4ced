import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

/** backfill, snapshot and lifecycle through the real CLI, on demo data. */
let dir: string;
const db = () => join(dir, 'demo.duckdb');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'powerlens-cli-lifecycle-'));
  const r = await runCli([
    ...['demo', '--users', '200', '--days', '60', '--db', db(), '--json'],
    ...['--data-dir', join(dir, 'data')],
  ]);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('powerlens lifecycle', () => {
  it('says how to get snapshots before there are any', async () => {
    const r = await runCli(['lifecycle', '--db', db()]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('run powerlens backfill --from DATE');
  });

  it('backfills weeks, adds the next run incrementally, and reports states, flows and people', async () => {
    const back = await runCli(['backfill', '--from', '2026-09-07', '--db', db(), '--json']);
    expect(back.code, back.stderr).toBe(0);
    const run = JSON.parse(back.stdout) as { periods: { period_start: string; as_of: string }[] };
    expect(run.periods[0]?.period_start).toBe('2026-09-07');
    expect(run.periods.at(-1)).toMatchObject({ period_start: '2026-10-26', as_of: '2026-10-31' });
    const again = await runCli(['snapshot', '--db', db(), '--json']);
    expect(
      JSON.parse(again.stdout).periods.map((p: { period_start: string }) => p.period_start),
    ).toEqual(['2026-10-26']);

    const report = await runCli(['lifecycle', '--db', db(), '--json']);
    expect(report.code, report.stderr).toBe(0);
    const r = JSON.parse(report.stdout) as {
      periods: { period_start: string; power_users: number; states: Record<string, number> }[];
      flows: { from: string; to: string; users: number }[];
    };
    expect(r.periods).toHaveLength(8);
    const last = r.periods.at(-1);
    expect(last?.power_users).toBeGreaterThan(0);
    expect(Object.keys(last?.states ?? {})).toEqual([
      'new',
      'retained',
      'resurrected',
      'at_risk',
      'lost',
      'emerging',
    ]);
    expect(r.flows.some((f) => f.from === 'retained' && f.to === 'retained')).toBe(true);

    const people = await runCli(['lifecycle', '--state', 'retained', '--csv', '--db', db()]);
    expect(people.code, people.stderr).toBe(0);
    const rows = parse(people.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.length).toBe(last?.states.retained);
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'user_id',
      'account_id',
      'period_start',
      'state',
      'score',
      'previous_score',
      'is_power_user',
      'trend',
      'days_active',
      'segments',
      'days_active_7',
      'events_7',
      'baseline_days_active',
      'baseline_events',
      'baseline_days',
      'attainment',
      'reason',
    ]);
    expect(rows.every((p) => p.reason?.startsWith('a power user now and in the week before'))).toBe(
      true,
    );
    expect(rows.every((p) => p.is_power_user === 'true' && p.period_start === '2026-10-26')).toBe(
      true,
    );

    const accounts = await runCli(['accounts', '--db', db(), '--json']);
    expect(accounts.code, accounts.stderr).toBe(0);
    const a = JSON.parse(accounts.stdout) as {
      compared_periods: boolean;
      accounts: {
        account_id: string;
        power_users: number;
        curve: unknown[];
        signals: { kind: string }[];
      }[];
    };
    expect(a.compared_periods).toBe(true);
    expect(a.accounts.length).toBeGreaterThan(10);
    expect(a.accounts[0]?.curve.length).toBeGreaterThan(0);
    const risky = await runCli(['accounts', '--at-risk', '--db', db(), '--json']);
    const atRisk = JSON.parse(risky.stdout) as typeof a;
    expect(atRisk.accounts.every((x) => x.signals.some((s) => s.kind === 'risk'))).toBe(true);
    const accountsText = await runCli(['accounts', '--db', db(), '--limit', '3']);
    expect(accountsText.stdout).toContain('Accounts as of 2026-10-31');
    expect(accountsText.stdout).toMatch(/more: --limit N, or --json for all/);

    const text = await runCli(['lifecycle', '--db', db()]);
    expect(text.stdout).toContain('Power users per week');
    // 60 days of data from 2026-09-01: the 30-day window of the week of 2026-09-21 (as of
    // 09-27) starts 08-29, before it; the next week's (as of 10-04) starts 09-05.
    expect(text.stdout).toContain('2026-09-21 *');
    expect(text.stdout).not.toContain('2026-09-28 *');
    expect(text.stdout).toContain('* partial: the window starts before the first day of data');
    const bad = await runCli(['lifecycle', '--state', 'gone', '--db', db()]);
    expect(bad.stderr).toMatch(/Allowed choices are new, retained/);
    const badFrom = await runCli(['backfill', '--from', '2026-13-01', '--db', db()]);
    expect(badFrom.stderr).toContain('--from 2026-13-01: use a real date written YYYY-MM-DD');
  }, 180_000); // a dozen CLI runs, each a process with its own DuckDB: slow on a loaded machine
});
