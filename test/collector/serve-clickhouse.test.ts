import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseHttpEngine } from '../../src/engines/clickhouse/http-engine.js';
import {
  type ClickHouseEndpoint,
  startClickHouseEndpoint,
} from '../helpers/clickhouse-http-endpoint.js';
import { roundNumbers } from '../helpers/conformance.js';
import { runCli } from '../helpers/run-cli.js';
import { startServe } from '../helpers/serve-child.js';

/**
 * `powerlens serve --engine clickhouse`: the real CLI in a child process collects into ClickHouse
 * (chDB behind the loopback HTTP endpoint, through @clickhouse/client), with projects and keys
 * kept there. The same requests sent to a DuckDB collector give the same stored events, the same
 * rejections and the same report; a resend stores nothing twice.
 */
let dir: string;
let endpoint: ClickHouseEndpoint;
const PASSWORD = 'pw';
const env = { CLICKHOUSE_PASSWORD: PASSWORD };
const onClickHouse = () => [
  '--engine',
  'clickhouse',
  '--clickhouse-url',
  endpoint.url,
  '--clickhouse-database',
  'collected',
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'powerlens-serve-ch-'));
  endpoint = await startClickHouseEndpoint({ dataDir: join(dir, 'chdb'), password: PASSWORD });
}, 120_000);
afterAll(async () => {
  await endpoint?.close();
  rmSync(dir, { recursive: true, force: true });
});

const serve = (args: string[]) => startServe(args, env);

/** SIGTERM: the collector loads its whole log and refreshes the rollups before it exits. */
function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((done) => {
    child.once('exit', (code) => done(code));
    child.kill('SIGTERM');
  });
}

/** Three weeks of a few users, an identify and an alias that link an anonymous id, a bad message. */
function batch(): Record<string, unknown>[] {
  const messages: Record<string, unknown>[] = [];
  for (let u = 0; u < 6; u++) {
    for (let back = 0; back < 21; back += 1 + (u % 3)) {
      const day = new Date(Date.parse('2026-11-23T10:00:00Z') - back * 86_400_000);
      messages.push({
        type: 'track',
        messageId: `m-${u}-${back}`,
        userId: `u${u}`,
        event: ['report_exported', 'invite_sent', 'chart_built'][(u + back) % 3],
        timestamp: day.toISOString(),
        context: { groupId: `acct${u % 2}` },
        properties: { n: back },
      });
    }
  }
  messages.push(
    {
      type: 'track',
      messageId: 'anon-1',
      anonymousId: 'device-9',
      event: 'chart_built',
      timestamp: '2026-11-20T08:00:00Z',
    },
    { type: 'identify', messageId: 'id-1', userId: 'u1', anonymousId: 'device-9', traits: {} },
    { type: 'alias', messageId: 'al-1', userId: 'u2', previousId: 'old-u2' },
    { type: 'track', messageId: 'bad-1', userId: 'u1' },
  );
  return messages;
}

/**
 * The batch, then the same batch again from a client that did not hear back, to a restarted
 * server: the resend reaches the store in a later load, so only the store's dedupe can catch it.
 */
async function collect(args: string[], writeKey: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const { child, base } = await serve(args);
    const r = await fetch(`${base}/v1/batch`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
      },
      body: JSON.stringify({ batch: batch() }),
    });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { rejected?: unknown[] }).rejected).toHaveLength(1);
    expect(await stop(child)).toBe(0);
  }
}

async function createProject(args: string[]): Promise<string> {
  const r = await runCli(
    ['projects', 'create', 'Acme', '--time-zone', 'Europe/Berlin', '--json', ...args],
    undefined,
    env,
  );
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { write_key: string }).write_key;
}

describe('serve --engine clickhouse', () => {
  it('collects into ClickHouse as into DuckDB: same events, rejections and report', async () => {
    const duckArgs = ['--db', join(dir, 'd.duckdb')];
    const chArgs = [...onClickHouse(), '--log-dir', join(dir, 'ch-log')];
    await collect(duckArgs, await createProject(duckArgs));
    await collect(chArgs, await createProject(onClickHouse()));

    const ch = await ClickHouseHttpEngine.open({
      url: endpoint.url,
      password: PASSWORD,
      database: 'collected',
    });
    try {
      const [stored] = await ch.query<{ n: number; ids: number }>(
        `SELECT count() AS n, uniqExact(message_id) AS ids FROM events WHERE project_id = 'acme'`,
      );
      expect(stored).toEqual({ n: batch().length - 3, ids: batch().length - 3 });
      const failed = await ch.query<{ reason: string }>(
        `SELECT reason FROM failed_events WHERE project_id = 'acme'`,
      );
      // Rejected once per request: the resend's rejection is kept too, as on DuckDB.
      expect(failed).toHaveLength(2);
      expect(failed[0]?.reason).toMatch(/event/);
      const [linked] = await ch.query<{ user_id: string }>(
        `SELECT user_id FROM identity_map WHERE project_id = 'acme' AND alias_id = 'device-9'`,
      );
      expect(linked?.user_id).toBe('u1');
      const [loads] = await ch.query<{ n: number }>('SELECT count() AS n FROM collector_loads');
      expect(loads?.n).toBeGreaterThan(0);
    } finally {
      await ch.close();
    }

    const report = async (args: string[]) => {
      const r = await runCli(
        ['analyze', '--project', 'acme', '--as-of', '2026-11-23', '--json', ...args],
        undefined,
        env,
      );
      expect(r.code, r.stderr).toBe(0);
      const { cache: _c, ...rest } = JSON.parse(r.stdout) as Record<string, unknown>;
      return roundNumbers(rest);
    };
    const onDuck = await report(duckArgs);
    expect(await report(onClickHouse())).toEqual(onDuck);
    expect(onDuck).toMatchObject({ totals: { users: 6 } });

    const listed = await runCli(['projects', 'list', '--json', ...onClickHouse()], undefined, env);
    expect(listed.code, listed.stderr).toBe(0);
    const acme = (
      JSON.parse(listed.stdout) as {
        project_id: string;
        time_zone: string;
        keys: { scope: string; revoked: boolean }[];
      }[]
    ).find((p) => p.project_id === 'acme');
    expect(acme?.time_zone).toBe('Europe/Berlin');
    // Keys made in the same second are listed by their random ids: compare as a set.
    expect(acme?.keys.map((k) => [k.scope, k.revoked]).sort()).toEqual(
      [
        ['read', false],
        ['write', false],
      ].sort(),
    );
  });

  it('refuses a wrong write key on ClickHouse as on DuckDB', async () => {
    const { child, base } = await serve([...onClickHouse(), '--log-dir', join(dir, 'ch-log-2')]);
    try {
      const r = await fetch(`${base}/v1/track`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ writeKey: 'pl_w_nope', userId: 'u', event: 'e' }),
      });
      expect(r.status).toBe(401);
    } finally {
      await stop(child);
    }
  });
});
