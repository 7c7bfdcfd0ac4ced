import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../src/engines/duckdb/duckdb-engine.js';
import { runCli } from '../helpers/run-cli.js';

/**
 * Amplitude exports keep the account in `groups` ({"company_id": ["org_02"]}), a list per group
 * type (issue 14): through the real `powerlens import`, the account is found there without a
 * flag, and `--account groups.<type>` names it, in NDJSON and in CSV (where groups is JSON text).
 */
const dir = mkdtempSync(join(tmpdir(), 'powerlens-amplitude-groups-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const row = (user: string, groups: unknown) => {
  n += 1;
  return {
    $insert_id: `ins-${n}`,
    user_id: user,
    device_id: `dev-${user}`,
    event_type: 'report_exported',
    event_time: '2026-05-01 10:00:00.123000',
    event_properties: { format: 'pdf' },
    user_properties: { plan: 'pro' },
    groups,
    group_properties: {},
  };
};

const ROWS = [
  row('u1', { company_id: ['org_02'] }),
  // Two group types: the one named like an account wins, and a list gives its first element.
  row('u2', { team: ['t1'], company_id: ['org_03', 'org_04'] }),
  row('u3', { company_id: 'org_09' }),
  row('u4', { company_id: [] }),
  row('u5', {}),
];

async function importFile(name: string, content: string, ...flags: string[]) {
  const file = join(dir, name);
  writeFileSync(file, content);
  const db = join(dir, `${name}.duckdb`);
  const r = await runCli(['import', file, '--db', db, '--no-rollup', '--json', ...flags]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const engine = await DuckDbEngine.open({ path: db });
  try {
    const accounts = await engine.query<{
      user_id: string;
      account_id: string | null;
      anonymous_id: string | null;
    }>('SELECT user_id, account_id, anonymous_id FROM events ORDER BY user_id');
    return { summary: JSON.parse(r.stdout) as { mapping: Record<string, string> }, accounts };
  } finally {
    await engine.close();
  }
}

const ndjson = ROWS.map((r) => JSON.stringify(r)).join('\n');

function csvOf(rows: ReturnType<typeof row>[]): string {
  const cell = (v: unknown) =>
    `"${(typeof v === 'string' ? v : JSON.stringify(v)).replaceAll('"', '""')}"`;
  const header = Object.keys(rows[0] ?? {});
  return `${[header.join(','), ...rows.map((r) => header.map((h) => cell(r[h as keyof typeof r])).join(','))].join('\n')}\n`;
}

describe('Amplitude groups', () => {
  it('give the account of an NDJSON export without a flag', async () => {
    const { summary, accounts } = await importFile('amplitude.ndjson', ndjson);
    expect(summary.mapping).toMatchObject({ account: 'groups.company_id', user: 'user_id' });
    expect(accounts.map((a) => [a.user_id, a.account_id, a.anonymous_id])).toEqual([
      ['u1', 'org_02', 'dev-u1'],
      ['u2', 'org_03', 'dev-u2'],
      ['u3', 'org_09', 'dev-u3'],
      ['u4', null, 'dev-u4'],
      ['u5', null, 'dev-u5'],
    ]);
    // An account column, when there is one, still wins.
    const rows = ROWS.map((r) => ({ ...r, account_id: `acct-${r.user_id}` }));
    const own = await importFile(
      'with-account.ndjson',
      rows.map((r) => JSON.stringify(r)).join('\n'),
    );
    expect(own.summary.mapping.account).toBe('account_id');
    expect(own.accounts[0]).toMatchObject({ user_id: 'u1', account_id: 'acct-u1' });
  });

  it('are a path --account names, to any group type; other flags take a list the same way', async () => {
    const { summary, accounts } = await importFile(
      'teams.ndjson',
      ndjson,
      '--account',
      'groups.team',
      '--anonymous',
      'groups.company_id',
    );
    expect(summary.mapping.account).toBe('groups.team');
    expect(accounts.map((a) => a.account_id)).toEqual([null, 't1', null, null, null]);
    expect(accounts.map((a) => a.anonymous_id)).toEqual(['org_02', 'org_03', 'org_09', null, null]);
  });

  it('are JSON text in a CSV export, found and named the same way', async () => {
    const csv = csvOf(ROWS);
    const detected = await importFile('amplitude.csv', csv);
    expect(detected.summary.mapping.account).toBe('groups.company_id');
    expect(detected.accounts.map((a) => a.account_id)).toEqual([
      'org_02',
      'org_03',
      'org_09',
      null,
      null,
    ]);
    const named = await importFile('named.csv', csv, '--account', 'groups.company_id');
    expect(named.accounts).toEqual(detected.accounts);
  });
});
