import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sessions } from '../../src/server/api/sessions.js';
import { DASHBOARD_DIR } from '../../src/server/dashboard.js';
import { type ApiServer, startApiServer } from '../helpers/api-server.js';
import { ARTIFACTS, CHROMIUM, chromiumAvailable } from '../helpers/browser.js';
import { demoProject } from '../helpers/demo-project.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/**
 * The dashboard end to end in Debian's Chromium (headless, through playwright-core), against a
 * real server on loopback with demo data: sign in with serve's one-time link, the overview's
 * numbers equal the API's, a user page, a threshold changed in the definition editor changes the
 * count, a phone-sized screen. Screenshots go to test-artifacts/. `.ci/run` installs chromium;
 * elsewhere, without it, the test says so and is skipped.
 */
const available = chromiumAvailable;

let db: TempDb;
let server: ApiServer;
let browser: Browser;
let base: string;
let readKey: string;
const sessions = new Sessions();

beforeAll(async () => {
  if (!available) return;
  expect(existsSync(join(DASHBOARD_DIR, 'index.html')), 'run npm run build first').toBe(true);
  mkdirSync(ARTIFACTS, { recursive: true });
  db = await openTempDb();
  readKey = (await demoProject(db, 11)).read_key;
  // "daily" falls in the single-metric trap: the definition editor warns about it.
  server = await startApiServer(
    db,
    'project: acme\ndefinitions:\n  daily:\n    rule: { signal: days_active, min: 20 }\n',
    sessions,
  );
  base = await server.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await db?.cleanup();
});

const api = async <T>(path: string): Promise<T> =>
  (
    await fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${readKey}` } })
  ).json() as Promise<T>;

describe.skipIf(!available)('the dashboard in Chromium', () => {
  it('signs in with the one-time link, shows the API numbers, a user, and a live what-if', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const code = sessions.issueCode('acme');
    await page.goto(`${base}/#login=${code}`);
    const report = await api<{
      totals: { active_users: number; power_users: number };
      curves: Record<'l30' | 'l7', { days_active: number; users: number; power_users: number }[]>;
    }>('/report');
    const power = page.getByTestId('kpi-power');
    await power.waitFor();
    expect(await power.textContent()).toBe(report.totals.power_users.toLocaleString('en-US'));
    expect(await page.getByTestId('kpi-active').textContent()).toBe(
      report.totals.active_users.toLocaleString('en-US'),
    );
    // The curves' numbers, as the dashboard shows them, are the API's.
    for (const id of ['l30', 'l7'] as const) {
      const rows = await page
        .getByTestId(`curve-${id}`)
        .locator('tbody tr')
        .evaluateAll((trs: { children: ArrayLike<{ textContent: string | null }> }[]) =>
          trs.map((tr) => Array.from(tr.children, (td) => Number(td.textContent))),
        );
      expect(rows).toEqual(report.curves[id].map((p) => [p.days_active, p.users, p.power_users]));
    }
    // The code left the address bar at once.
    expect(page.url()).not.toContain(code);
    // 60 days of demo data: the default definition's 10 active weeks of 13 are out of reach.
    expect(await page.getByTestId('warnings').textContent()).toContain(
      'consistency (active_weeks >= 10) needs 64 days of data',
    );
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-overview.png`, fullPage: true });

    await page.getByRole('link', { name: 'Users' }).click();
    const table = page.getByTestId('users-table');
    await table.waitFor();
    const first = table.locator('tbody tr').first().getByRole('link');
    const userId = (await first.textContent()) ?? '';
    await first.click();
    await page.getByTestId('verdict').waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain(userId);
    expect(await page.getByTestId('verdict').textContent()).toContain('A power user');
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-user.png`, fullPage: true });

    await page.getByRole('link', { name: 'Definition' }).click();
    const threshold = page.getByTestId('threshold-frequency');
    await threshold.waitFor();
    // Active on 30% of the days instead of two thirds: more users qualify.
    await threshold.fill('0.3');
    const count = page.getByTestId('what-if-count');
    await count.waitFor();
    const qualify = Number((await count.textContent())?.replaceAll(',', ''));
    expect(qualify).toBeGreaterThan(report.totals.power_users);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-editor.png`, fullPage: true });
    // A definition met on frequency alone: the editor warns, and the definition still runs.
    await page.getByLabel('Definition').selectOption('daily');
    const warning = page.getByTestId('warnings');
    await warning.waitFor();
    expect(await warning.textContent()).toContain('heavy-but-shallow');
    await page.getByTestId('threshold-days_active').waitFor();
    await page.close();
  });

  it('asks for a key without a session, refuses a used link, and fits a phone', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const code = sessions.issueCode('acme');
    await page.goto(`${base}/#login=${code}`);
    await page.getByTestId('kpi-power').waitFor();
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-phone.png`, fullPage: true });

    const fresh = await browser.newPage();
    await fresh.goto(`${base}/#login=${code}`);
    await fresh.getByRole('alert').waitFor();
    expect(await fresh.getByRole('alert').textContent()).toContain('login link is used');
    await fresh.getByLabel('Read key').fill(readKey);
    await fresh.getByRole('button', { name: 'Sign in' }).click();
    await fresh.getByTestId('kpi-power').waitFor();
    await fresh.close();
    await page.close();
  });
});
