import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../../src/projects/run-projects.js';
import { Sessions } from '../../src/server/api/sessions.js';
import { DASHBOARD_DIR } from '../../src/server/dashboard.js';
import { type ApiServer, startApiServer } from '../helpers/api-server.js';
import { ARTIFACTS, CHROMIUM, chromiumAvailable } from '../helpers/browser.js';
import { demoProject } from '../helpers/demo-project.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/**
 * The dashboard's Playbooks page in Debian's Chromium against a real server with demo data: the
 * project's playbooks listed in words (a variable that is not set says so), a preview listing who
 * would be reached and why, the empty delivery log saying what to run, a project without
 * playbooks shown an example to start from, and a phone-sized screen that does not overflow.
 * Screenshots go to test-artifacts/.
 */
const available = chromiumAvailable;

let db: TempDb;
let server: ApiServer;
let browser: Browser;
let base: string;
const sessions = new Sessions();
let emptyProject: string;

beforeAll(async () => {
  if (!available) return;
  expect(existsSync(join(DASHBOARD_DIR, 'index.html')), 'run npm run build first').toBe(true);
  mkdirSync(ARTIFACTS, { recursive: true });
  db = await openTempDb();
  await demoProject(db, 11);
  emptyProject = (await createProject(db.engine, { name: 'Empty', timeZone: 'UTC' })).project_id;
  server = await startApiServer(
    db,
    [
      'project: acme',
      'projects:',
      '  acme:',
      '    playbooks:',
      '      champion_at_risk:',
      '        description: Tell the CSM when a heavy user starts fading.',
      '        trigger: { on: entered_state, state: at_risk }',
      '        actions:',
      '          - webhook: { url: "https://hooks.example.com/powerlens/T0K3N", secret_env: PL_E2E_UNSET_SECRET }',
      '        limits: { cooldown_days: 14 }',
      '      nurture_emerging:',
      '        trigger: { on: entered_state, state: emerging }',
      '        filters: { score: { min: 20 } }',
      '        actions:',
      '          - webhook: { url_env: PL_E2E_URL, secret_env: PL_E2E_UNSET_SECRET }',
      '      emerging_inflow:',
      '        trigger: { on: lifecycle_flow, from: none, to: emerging, min_users: 1 }',
      '        actions:',
      '          - webhook: { url_env: PL_E2E_URL, secret_env: PL_E2E_UNSET_SECRET }',
      '',
    ].join('\n'),
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

async function openPlaybooks(page: Page, project: string): Promise<void> {
  await page.goto(`${base}/#login=${sessions.issueCode(project)}`);
  await page.getByRole('link', { name: 'Playbooks' }).click();
  await page.getByRole('heading', { name: 'Playbooks', level: 1 }).waitFor();
}

const overflow = (page: Page) =>
  page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');

describe.skipIf(!available)('the Playbooks page in Chromium', () => {
  it('lists the playbooks, previews who they would reach, and says the log is empty', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await openPlaybooks(page, 'acme');
    const table = page.getByTestId('playbooks-table');
    await table.waitFor();
    const rows = table.locator('tbody tr');
    expect(await rows.count()).toBe(3);
    const first = (await rows.nth(0).textContent()) ?? '';
    expect(first).toContain('champion_at_risk');
    expect(first).toContain('enters the lifecycle state at_risk');
    expect(first).toContain('webhook to hooks.example.com');
    expect(first).toContain('PL_E2E_UNSET_SECRET');
    expect(first).toContain('not set');
    expect(first).toContain('0 sent, 0 queued, 0 dead');
    // The host only: a URL's path may hold a token.
    expect(await table.textContent()).not.toContain('T0K3N');
    expect((await rows.filter({ hasText: 'nurture_emerging' }).textContent()) ?? '').toContain(
      'score 20 to 100',
    );

    await page.getByText('No deliveries yet. Run powerlens playbooks run').waitFor();

    await page.getByRole('button', { name: 'Preview nurture_emerging' }).click();
    const preview = page.getByTestId('preview');
    await preview.getByRole('heading', { name: 'Who nurture_emerging would reach now' }).waitFor();
    await preview.locator('caption, .state.empty').first().waitFor();
    const text = (await preview.textContent()) ?? '';
    expect(text).toMatch(/as of 2026-10-31/);
    await page.screenshot({ path: `${ARTIFACTS}/playbooks-desktop.png`, fullPage: true });

    await page.getByLabel('Status').selectOption('dead');
    await page.getByText('No dead deliveries.').waitFor();

    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByLabel('Status').selectOption('');
    await page.getByText('No deliveries yet.', { exact: false }).waitFor();
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${ARTIFACTS}/playbooks-phone.png`, fullPage: true });
    await page.close();
  }, 60_000);

  it('previews a project alert as about the project, with what changed', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await openPlaybooks(page, 'acme');
    await page.getByRole('button', { name: 'Preview emerging_inflow' }).click();
    const preview = page.getByTestId('preview');
    const row = preview.locator('tbody tr');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    await row.getByRole('link', { name: 'the project' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/playbooks-alert-desktop.png`, fullPage: true });
    expect((await row.textContent()) ?? '').toMatch(/none \(in no state\) to emerging/);
    await page.close();
  }, 60_000);

  it('shows a project without playbooks an example to start from', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await openPlaybooks(page, emptyProject);
    const empty = page.getByTestId('no-playbooks');
    await empty.waitFor();
    const text = (await empty.textContent()) ?? '';
    expect(text).toContain('docs/playbooks.md');
    expect(text).toContain('trigger: { on: entered_state, state: at_risk }');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${ARTIFACTS}/playbooks-empty-phone.png`, fullPage: true });
    await page.close();
  }, 60_000);
});
