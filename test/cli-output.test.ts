import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountReport } from '../src/accounts/account-report.js';
import type { LifecycleReport } from '../src/lifecycle/lifecycle-report.js';
import { runCli } from './helpers/run-cli.js';

/**
 * What the CLI prints for people, through the real CLI on real DuckDB files: counts with
 * thousands separators, a mistake answered with the error and one hint, and the CSV of
 * `lifecycle` and `accounts`.
 */
let dir: string;
/** 1,200 users, each alone in an account, active on two days; 1,100 rows without an event. */
const big = () => join(dir, 'big.duckdb');
/** Demo data with two months of snapshots. */
const demo = () => join(dir, 'demo.duckdb');

async function cli(args: string[]): Promise<string> {
  const r = await runCli(args);
  if (r.code !== 0) throw new Error(`powerlens ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'powerlens-cli-output-'));
  const rows = ['user_id,account_id,timestamp,event'];
  for (let i = 1; i <= 1200; i++) {
    const user = `u${String(i).padStart(4, '0')}`;
    // One account id a spreadsheet would run as a formula.
    const account = i === 1200 ? '=SUM(1+1)' : `acct_${user}`;
    for (const day of ['2026-05-04', '2026-05-05'])
      rows.push(`${user},${account},${day}T10:00:00Z,saved`);
  }
  for (let i = 0; i < 1100; i++) rows.push(`x${i},acct_x,2026-05-04T10:00:00Z,`);
  const file = join(dir, 'events.csv');
  writeFileSync(file, `${rows.join('\n')}\n`);
  const imported = await cli(['import', file, '--db', big()]);
  expect(imported).toContain('2,400 imported, 1,100 rejected');

  await cli([
    'demo',
    '--users',
    '200',
    '--days',
    '60',
    '--db',
    demo(),
    '--json',
    '--data-dir',
    join(dir, 'data'),
  ]);
  await cli(['backfill', '--from', '2026-09-01', '--period', 'month', '--db', demo(), '--json']);
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('counts in text output', () => {
  it('have thousands separators in rollup, analyze, catalog, accounts and failed-events', async () => {
    expect(await cli(['rollup', '--full', '--db', big()])).toMatch(/, 2,400 user-days in /);
    const report = await cli(['analyze', '--db', big()]);
    expect(report).toContain('1,200 active users in the window');
    // The Power User Curve's line for two active days.
    expect(report).toMatch(/^ {2}2 d {2}1,200 /m);
    expect(await cli(['catalog', '--db', big()])).toContain('1,200 active users in the 30 days');
    expect(await cli(['accounts', '--db', big()])).toContain('1,170 more: --limit N');
    expect(await cli(['failed-events', '--db', big()])).toContain(
      '(50 of 1,100; --limit for more)',
    );
  }, 60_000);

  it('stay plain numbers in JSON', async () => {
    const r = JSON.parse(await cli(['rollup', '--full', '--db', big(), '--json'])) as {
      user_days: number;
    };
    expect(r.user_days).toBe(2400);
  });
});

describe('a mistake on the command line', () => {
  it('prints the error and one hint, not the whole help', async () => {
    const flag = await runCli(['analyze', '--bogus']);
    expect(flag.code).toBe(1);
    expect(flag.stdout).toBe('');
    expect(flag.stderr).toBe(
      "error: unknown option '--bogus'\n(run powerlens analyze --help for the options)\n",
    );
    const missing = await runCli(['projects', 'create']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      "error: missing required argument 'name'\n(run powerlens projects create --help for the options)\n",
    );
    const command = await runCli(['analyse']);
    expect(command.stderr.split('\n').filter(Boolean)).toEqual([
      "error: unknown command 'analyse'",
      '(Did you mean analyze?)',
      '(run powerlens --help for the commands)',
    ]);
  });
});

describe('CSV', () => {
  it('lifecycle --csv without --state: one row per period and state, as --json counts them', async () => {
    const args = ['lifecycle', '--period', 'month', '--db', demo()];
    const report = JSON.parse(await cli([...args, '--json'])) as LifecycleReport;
    const rows = parse(await cli([...args, '--csv']), { columns: true }) as Record<
      string,
      string
    >[];
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'period_start',
      'state',
      'users',
      'active_users',
      'power_users',
      'baseline',
      'partial',
    ]);
    expect(report.periods.map((p) => p.baseline)).toEqual([true, false]);
    const expected = report.periods.flatMap((p) =>
      Object.entries(p.states).map(([state, users]) => ({
        period_start: p.period_start,
        state,
        users: p.baseline ? '' : String(users),
        active_users: String(p.active_users),
        power_users: String(p.power_users),
        baseline: String(p.baseline),
        partial: String(p.partial),
      })),
    );
    expect(rows).toEqual(expected);
    expect(rows.filter((r) => r.state === 'retained' && r.users !== '')[0]?.users).not.toBe('0');
  });

  it('accounts --csv: one row per account with plain columns, formula cells neutralised', async () => {
    const report = JSON.parse(await cli(['accounts', '--db', big(), '--json'])) as AccountReport;
    const text = await cli(['accounts', '--db', big(), '--csv']);
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'account_id',
      'name',
      'plan',
      'seats',
      'mrr',
      'csm',
      'users',
      'active_users',
      'power_users',
      'power_user_share',
      'power_user_seat_share',
      'catalogue_coverage',
      'risks',
      'chances',
    ]);
    // Every account, not the 30 the terminal shows.
    expect(rows).toHaveLength(1200);
    expect(rows.map((r) => r.account_id)).toEqual(
      report.accounts.map((a) =>
        a.account_id.startsWith('=') ? `'${a.account_id}` : a.account_id,
      ),
    );
    expect(text).toContain(`"'=SUM(1+1)",,,,,,1,1,0,0,,1,,`);

    const demoReport = JSON.parse(
      await cli(['accounts', '--db', demo(), '--json']),
    ) as AccountReport;
    const demoRows = parse(await cli(['accounts', '--db', demo(), '--csv']), {
      columns: true,
    }) as Record<string, string>[];
    expect(demoRows).toEqual(
      demoReport.accounts.map((a) => ({
        account_id: a.account_id,
        name: a.name ?? '',
        plan: a.plan ?? '',
        seats: a.seats === undefined ? '' : String(a.seats),
        mrr: a.mrr === undefined ? '' : String(a.mrr),
        csm: a.csm ?? '',
        users: String(a.users),
        active_users: String(a.active_users),
        power_users: String(a.power_users),
        power_user_share: String(a.power_user_share),
        power_user_seat_share:
          a.power_user_seat_share === undefined ? '' : String(a.power_user_seat_share),
        catalogue_coverage: String(a.catalogue_coverage),
        risks: a.signals
          .filter((s) => s.kind === 'risk')
          .map((s) => s.signal)
          .join(';'),
        chances: a.signals
          .filter((s) => s.kind === 'chance')
          .map((s) => s.signal)
          .join(';'),
      })),
    );
  });
});
