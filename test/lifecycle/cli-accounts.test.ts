import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

/**
 * `powerlens accounts` on a database with months of events and no snapshot: the first run
 * computes the history its signals compare (with progress on stderr) and finds the account that
 * lost its power user two months ago; the second computes only the latest week.
 *
 * 12 weeks, W0 = Monday 2026-06-01 to W11 = 2026-08-17 (last day Sunday 2026-08-23). A 14-day
 * window, a power user active on 8 of its days. lost_p is active on the weekdays of W0..W4 and
 * stops: a power user in the snapshots of W1..W4 (10 days in the window), not W5 (5 days). So the
 * last power week is W4 (2026-06-29), none since W5 (2026-07-06): 7 weeks (W5..W11). lost_l
 * visits acct_lost every Monday; ref_p keeps going (acct_ref keeps its power user).
 */
let dir: string;
const db = () => join(dir, 'a.duckdb');
const CONFIG = `definitions:
  default:
    window_days: 14
    rule: { signal: days_active, min: 8 }
`;
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'powerlens-cli-accounts-'));
  const lines = ['message_id,timestamp,user_id,account_id,event'];
  for (let day = 0; day < 84; day++) {
    const d = addDays('2026-06-01', day);
    const weekday = day % 7 < 5;
    const add = (user: string, account: string) => {
      for (let k = 0; k < 4; k++) {
        lines.push(`${user}-${d}-${k},${d}T10:0${k}:00Z,${user},${account},report_created`);
      }
    };
    if (weekday && day < 35) add('lost_p', 'acct_lost');
    if (day % 7 === 0) add('lost_l', 'acct_lost');
    if (weekday || day === 83) add('ref_p', 'acct_ref');
  }
  writeFileSync(join(dir, 'events.csv'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'powerlens.yaml'), CONFIG);
  const r = await runCli(['import', join(dir, 'events.csv'), '--db', db(), '--json']);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('powerlens accounts on a database without snapshots', () => {
  it('computes the history itself, with progress, and keeps an old loss flagged', async () => {
    const first = await runCli(['accounts', '--db', db(), '--config', join(dir, 'powerlens.yaml')]);
    expect(first.code, first.stderr).toBe(0);
    // The lookback (13 weeks) reaches before the data: every week from 2026-06-01.
    expect(first.stderr).toContain(
      'Computing 12 weeks of snapshots the account signals compare (stored: later runs compute only the latest)',
    );
    expect(first.stderr).toContain('12/12 2026-08-17');
    expect(first.stdout).not.toContain('only one week');
    expect(first.stdout).toContain(
      'risk #1 acct_lost: had 1 power user until the week of 2026-06-29 and none since the week of 2026-07-06 (7 weeks): churn risk',
    );

    const again = await runCli([
      'accounts',
      '--db',
      db(),
      '--json',
      '--config',
      join(dir, 'powerlens.yaml'),
    ]);
    expect(again.code, again.stderr).toBe(0);
    const r = JSON.parse(again.stdout) as {
      computed_periods: number;
      compared_periods: boolean;
      accounts: { account_id: string; signals: { signal: string; since?: string }[] }[];
    };
    expect(r).toMatchObject({ computed_periods: 1, compared_periods: true });
    const lost = r.accounts.find((a) => a.account_id === 'acct_lost');
    expect(lost?.signals.map((s) => [s.signal, s.since])).toEqual([
      ['lost_power_users', '2026-07-06'],
    ]);
  });
});
