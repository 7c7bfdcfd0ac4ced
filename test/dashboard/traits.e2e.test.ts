import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sessions } from '../../src/server/api/sessions.js';
import { DASHBOARD_DIR } from '../../src/server/dashboard.js';
import { type ApiServer, startApiServer } from '../helpers/api-server.js';
import { CHROMIUM, chromiumAvailable } from '../helpers/browser.js';
import { demoProject } from '../helpers/demo-project.js';
import { openApiValidator } from '../helpers/openapi-validator.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/**
 * Traits from identify and group calls in the dashboard, in Chromium against a real server
 * (issue 14): the users table shows who a user is, the user page their traits and account, the
 * accounts table name, plan, seats and the power users per seat.
 */
const available = chromiumAvailable;

let db: TempDb;
let server: ApiServer;
let browser: Browser;
let base: string;
let readKey: string;
const sessions = new Sessions();

interface User {
  user_id: string;
  account_id: string;
}

const api = async <T>(path: string): Promise<T> =>
  (
    await fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${readKey}` } })
  ).json() as Promise<T>;

let user: User;

beforeAll(async () => {
  if (!available) return;
  expect(existsSync(join(DASHBOARD_DIR, 'index.html')), 'run npm run build first').toBe(true);
  db = await openTempDb();
  readKey = (await demoProject(db, 5)).read_key;
  server = await startApiServer(db, 'project: acme\n', sessions);
  base = await server.app.listen({ host: '127.0.0.1', port: 0 });
  const page = await api<{ users: User[] }>('/users?power=true&limit=100');
  const found = page.users.find((u) => u.account_id !== '');
  if (!found) throw new Error('the demo has no power user in an account');
  user = found;
  const at = '2026-10-01T10:00:00Z';
  await db.engine.insert('identifies', [
    {
      project_id: 'acme',
      message_id: 'i1',
      timestamp: at,
      user_id: user.user_id,
      anonymous_id: null,
      traits: JSON.stringify({ email: 'ada@acme.test', name: 'Ada Lovelace', role: 'admin' }),
      received_at: at,
      source: 'test',
    },
  ]);
  await db.engine.insert('group_memberships', [
    {
      project_id: 'acme',
      message_id: 'g1',
      timestamp: at,
      user_id: user.user_id,
      anonymous_id: null,
      account_id: user.account_id,
      traits: JSON.stringify({ name: 'Acme Inc', plan: 'Enterprise', seats: 40, mrr: 4200 }),
      received_at: at,
      source: 'test',
    },
  ]);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await db?.cleanup();
});

async function signIn(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/#login=${sessions.issueCode('acme')}`);
  await page.getByTestId('kpi-power').waitFor();
  return page;
}

describe.skipIf(!available)('traits in the dashboard', () => {
  it('are in the API answers, as its OpenAPI document says', async () => {
    const check = await openApiValidator(await api('/openapi.json'));
    const q = `/users?q=${encodeURIComponent(user.user_id)}`;
    const page = await api<{ users: Record<string, unknown>[] }>(q);
    check('/api/v1/users', 'get', 200, page);
    expect(page.users.find((u) => u.user_id === user.user_id)).toMatchObject({
      email: 'ada@acme.test',
      name: 'Ada Lovelace',
      account_name: 'Acme Inc',
      plan: 'Enterprise',
    });
    expect(await api(`/users/${encodeURIComponent(user.user_id)}`)).toMatchObject({
      traits: { email: 'ada@acme.test', role: 'admin' },
      account: { account_id: user.account_id, name: 'Acme Inc', seats: 40, mrr: 4200 },
    });
  });

  it('show who users are, their account, and the power users per seat', async () => {
    const page = await signIn();

    await page.goto(`${base}/#/users`);
    const row = page
      .getByTestId('users-table')
      .locator('tbody tr')
      .filter({ has: page.getByRole('link', { name: user.user_id, exact: true }) });
    await row.waitFor();
    expect(await row.getByTestId('user-who').textContent()).toBe('Ada Lovelaceada@acme.test');
    expect(await row.textContent()).toContain('Acme Inc');

    await page.goto(`${base}/#/users/${encodeURIComponent(user.user_id)}`);
    await page.getByTestId('traits').waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Ada Lovelace');
    const traits = await page.getByTestId('traits').textContent();
    expect(traits).toContain('ada@acme.test');
    expect(traits).toContain('admin');
    const account = await page.getByTestId('account').textContent();
    for (const text of [user.account_id, 'Acme Inc', 'Enterprise', '40', '4,200']) {
      expect(account).toContain(text);
    }

    await page.goto(`${base}/#/accounts`);
    const accounts = await api<{ accounts: { account_id: string; power_users: number }[] }>(
      '/accounts',
    );
    const ours = accounts.accounts.find((a) => a.account_id === user.account_id);
    const line = page
      .locator('tbody tr')
      .filter({ has: page.getByRole('button', { name: user.account_id, exact: true }) });
    await line.waitFor();
    const cells = await line.locator('td').allTextContents();
    expect(cells.slice(0, 3)).toEqual([`${user.account_id}Acme Inc`, 'Enterprise', '40']);
    expect(await line.getByTestId('seat-share').textContent()).toBe(
      `${(((ours?.power_users ?? 0) / 40) * 100).toFixed(0)}%`,
    );
    await page.close();
  });
});
