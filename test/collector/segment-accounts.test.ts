import { rmSync } from 'node:fs';
import { Analytics } from '@segment/analytics-node';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Collector } from '../../src/ingest/collector/collector.js';
import { createProject } from '../../src/projects/run-projects.js';
import { createServer } from '../../src/server/create-server.js';
import { runCli } from '../helpers/run-cli.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/**
 * B2B accounts from the standard Segment calls (issue 14): identify(userId) + group(userId,
 * groupId) + track(userId) without context.groupId puts the user in the account, and the traits
 * of both calls show in explain, users and accounts.
 */
let db: TempDb;
let collector: Collector;
let app: FastifyInstance;
let base: string;
let writeKey: string;
let closed = false;

const day = (n: number) => new Date(Date.UTC(2026, 10, n, 10, 0, 0));

beforeAll(async () => {
  db = await openTempDb();
  writeKey = (await createProject(db.engine, { name: 'Acme', timeZone: 'UTC' })).write_key;
  collector = await Collector.start(db.engine, { logDir: `${db.dir}/log`, loadIntervalMs: 60_000 });
  app = createServer({ collector });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
async function closeServer(): Promise<void> {
  if (closed) return;
  closed = true;
  await app.close();
  await collector.close();
  await db.engine.close();
}
afterAll(async () => {
  await closeServer();
  rmSync(db.dir, { recursive: true, force: true });
});

async function send(calls: (a: Analytics) => void): Promise<void> {
  const analytics = new Analytics({ writeKey, host: base, flushAt: 50, maxRetries: 0 });
  calls(analytics);
  await analytics.closeAndFlush();
  await collector.loadNow();
  await collector.refreshRollups();
}

const accounts = () =>
  db.engine.query<{ user_id: string; account_id: string }>(
    'SELECT DISTINCT user_id, account_id FROM user_day ORDER BY user_id, account_id',
  );

describe('accounts from Segment group calls', () => {
  it('put users in the account of their group call, and show the traits of both calls', async () => {
    await send((a) => {
      a.identify({ userId: 'u1', traits: { email: 'ada@acme.test', name: 'Ada Lovelace' } });
      a.group({
        userId: 'u1',
        groupId: 'org_acme',
        timestamp: day(1),
        traits: {
          name: 'Acme Inc',
          Plan: 'Pro',
          employees: 4,
          MRR: '990',
          account_manager: 'Dana',
        },
      });
      // Every day of the window, six features, inviting: a power user.
      for (let n = 4; n <= 30; n++) {
        for (const event of ['Report Created', 'Report Exported', 'Dashboard Viewed']) {
          a.track({ userId: 'u1', event, timestamp: day(n) });
        }
        for (const event of ['Filter Applied', 'Chart Added', 'Teammate Invited']) {
          a.track({ userId: 'u1', event, timestamp: day(n) });
        }
      }
      // u2's group call is sent now, after its events: they still count in the account.
      a.identify({
        userId: 'u2',
        traits: { Email: 'bob@acme.test', firstName: 'Bob', lastName: 'Stone' },
      });
      a.group({ userId: 'u2', groupId: 'org_acme' });
      a.track({ userId: 'u2', event: 'Report Created', timestamp: day(28) });
      // No group call: no account.
      a.track({ userId: 'u3', event: 'Report Created', timestamp: day(29) });
      // A visitor joins a workspace before signing up.
      a.group({
        anonymousId: 'anon-9',
        groupId: 'org_globex',
        timestamp: day(2),
        traits: { name: 'Globex', plan: 'Team', seats: '10' },
      });
      a.track({ anonymousId: 'anon-9', event: 'Pricing Viewed', timestamp: day(27) });
    });
    expect(await accounts()).toEqual([
      { user_id: 'anon-9', account_id: 'org_globex' },
      { user_id: 'u1', account_id: 'org_acme' },
      { user_id: 'u2', account_id: 'org_acme' },
      { user_id: 'u3', account_id: '' },
    ]);

    // The visitor signs up in a later batch: their membership, and visit, are now u9's.
    await send((a) => {
      a.identify({ userId: 'u9', anonymousId: 'anon-9', traits: { email: 'carol@globex.test' } });
      a.track({ userId: 'u9', event: 'Report Created', timestamp: day(30) });
    });
    expect(await accounts()).toEqual([
      { user_id: 'u1', account_id: 'org_acme' },
      { user_id: 'u2', account_id: 'org_acme' },
      { user_id: 'u3', account_id: '' },
      { user_id: 'u9', account_id: 'org_globex' },
    ]);

    // The reports, from the CLI on the same file.
    await closeServer();
    const cli = async (...args: string[]) => {
      const r = await runCli([...args, '--db', db.dbPath, '--project', 'acme']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return r.stdout;
    };

    const explained = JSON.parse(await cli('explain', 'u1', '--json'));
    expect(explained).toMatchObject({
      user_id: 'u1',
      account_id: 'org_acme',
      is_power_user: true,
      email: 'ada@acme.test',
      name: 'Ada Lovelace',
      account_name: 'Acme Inc',
      plan: 'Pro',
      traits: { email: 'ada@acme.test', name: 'Ada Lovelace' },
      account: {
        account_id: 'org_acme',
        name: 'Acme Inc',
        plan: 'Pro',
        seats: 4,
        mrr: 990,
        csm: 'Dana',
        traits: {
          name: 'Acme Inc',
          Plan: 'Pro',
          employees: 4,
          MRR: '990',
          account_manager: 'Dana',
        },
      },
    });
    const text = await cli('explain', 'u1');
    expect(text).toContain('Ada Lovelace <ada@acme.test>');
    expect(text).toContain('org_acme (Acme Inc): plan Pro, 4 seats, MRR 990, CSM Dana');

    const users = JSON.parse(await cli('users', '--json')).users as Record<string, unknown>[];
    const byId = new Map(users.map((u) => [u.user_id, u]));
    expect(byId.get('u2')).toMatchObject({
      account_id: 'org_acme',
      email: 'bob@acme.test',
      name: 'Bob Stone',
      account_name: 'Acme Inc',
      plan: 'Pro',
    });
    expect(byId.get('u9')).toMatchObject({
      account_id: 'org_globex',
      email: 'carol@globex.test',
      account_name: 'Globex',
      plan: 'Team',
    });
    // Unknown traits are left out, not empty.
    expect(byId.get('u3')).not.toHaveProperty('email');
    expect(byId.get('u3')).not.toHaveProperty('account_name');

    const csv = (await cli('users', '--csv')).trim().split('\n');
    expect(csv[0]).toMatch(/^user_id,account_id,email,name,account_name,plan,score,/);
    expect(csv).toContainEqual(
      expect.stringMatching(/^u2,org_acme,bob@acme\.test,Bob Stone,Acme Inc,Pro,/),
    );
    expect(csv).toContainEqual(expect.stringMatching(/^u3,,,,,,/));

    const report = JSON.parse(await cli('accounts', '--json')).accounts as Record<
      string,
      unknown
    >[];
    const acme = report.find((a) => a.account_id === 'org_acme');
    expect(acme).toMatchObject({
      name: 'Acme Inc',
      plan: 'Pro',
      seats: 4,
      mrr: 990,
      csm: 'Dana',
      active_users: 2,
      power_users: 1,
      power_user_share: 0.5,
      power_user_seat_share: 0.25,
    });
    expect(report.find((a) => a.account_id === 'org_globex')).toMatchObject({
      name: 'Globex',
      plan: 'Team',
      seats: 10,
      active_users: 1,
      power_user_seat_share: 0,
    });
    const table = await cli('accounts');
    expect(table).toMatch(/org_acme\s+Acme Inc\s+Pro\s+4\s+990\s+Dana\s+2\s+2\s+1\s+50%\s+25%/);
  });
});
