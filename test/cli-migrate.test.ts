import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ClickHouseEndpoint,
  startClickHouseEndpoint,
} from './helpers/clickhouse-http-endpoint.js';
import { runCli } from './helpers/run-cli.js';

/** `powerlens migrate` on each engine, through the real CLI. */
let dir: string;
let endpoint: ClickHouseEndpoint;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'powerlens-migrate-'));
  endpoint = await startClickHouseEndpoint({ dataDir: join(dir, 'server'), password: 'pw' });
}, 60_000);
afterAll(async () => {
  await endpoint?.close();
  rmSync(dir, { recursive: true, force: true });
});

const json = (stdout: string) => JSON.parse(stdout) as { applied: string[]; to: number };

describe('powerlens migrate', () => {
  it('creates the schema of a DuckDB file and of a chDB directory, once', async () => {
    for (const [engine, db] of [
      ['duckdb', join(dir, 'x.duckdb')],
      ['chdb', join(dir, 'chdb')],
    ] as const) {
      const first = await runCli(['migrate', '--engine', engine, '--db', db, '--json']);
      expect(first.code, first.stderr).toBe(0);
      expect(json(first.stdout).applied.length).toBeGreaterThan(0);
      const again = await runCli(['migrate', '--engine', engine, '--db', db, '--json']);
      expect(json(again.stdout).applied).toEqual([]);
    }
  });

  it('creates the schema on a ClickHouse server over HTTP, with the password from the environment', async () => {
    const args = ['migrate', '--engine', 'clickhouse', '--clickhouse-url', endpoint.url, '--json'];
    const ok = await runCli(args, undefined, { CLICKHOUSE_PASSWORD: 'pw' });
    expect(ok.code, ok.stderr).toBe(0);
    expect(json(ok.stdout).applied).toEqual(['clickhouse_schema']);
    const refused = await runCli(args, undefined, { CLICKHOUSE_PASSWORD: 'nope' });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Authentication failed/);
  });

  it('prints the cluster DDL for review, and says what --engine clickhouse needs', async () => {
    const printed = await runCli([
      'migrate',
      '--print',
      '--cluster',
      'prod',
      '--clickhouse-database',
      'pl',
    ]);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain(
      'CREATE TABLE IF NOT EXISTS `pl`.`events_local` ON CLUSTER `prod`',
    );
    expect(printed.stdout).toContain("ENGINE = Distributed('prod', 'pl', 'events_local'");
    const missing = await runCli(['migrate', '--engine', 'clickhouse']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('--engine clickhouse needs --clickhouse-url');
    const https = ['migrate', '--engine', 'clickhouse', '--clickhouse-url', endpoint.url];
    const noCa = await runCli([...https, '--clickhouse-ca-cert', join(dir, 'missing-ca.pem')]);
    expect(noCa.code).not.toBe(0);
    expect(noCa.stderr).toContain('--clickhouse-ca-cert');
    expect(noCa.stderr).toContain('missing-ca.pem: cannot read it (ENOENT)');
    const halfPair = await runCli([...https, '--clickhouse-cert', join(dir, 'c.pem')]);
    expect(halfPair.stderr).toContain('--clickhouse-cert and --clickhouse-key go together');
    const wrong = await runCli(['migrate', '--engine', 'mysql']);
    expect(wrong.stderr).toMatch(/Allowed choices are duckdb, chdb, clickhouse/);
  });
});
