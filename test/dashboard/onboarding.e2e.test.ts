import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../../src/ingest/import/run-import.js';
import { createProject } from '../../src/projects/run-projects.js';
import { runRollup } from '../../src/rollup/run-rollup.js';
import { Sessions } from '../../src/server/api/sessions.js';
import { DASHBOARD_DIR } from '../../src/server/dashboard.js';
import { type ApiServer, startApiServer } from '../helpers/api-server.js';
import { ARTIFACTS, CHROMIUM, chromiumAvailable } from '../helpers/browser.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/**
 * A project without events opens on an onboarding page (where to send events, SDK snippets, a
 * file import) that fits a phone, and turns into the report once events land.
 */
const available = chromiumAvailable;

let db: TempDb;
let server: ApiServer;
let browser: Browser;
let base: string;
const sessions = new Sessions();

beforeAll(async () => {
  if (!available) return;
  expect(existsSync(join(DASHBOARD_DIR, 'index.html')), 'run npm run build first').toBe(true);
  mkdirSync(ARTIFACTS, { recursive: true });
  db = await openTempDb();
  await createProject(db.engine, { name: 'Fresh', timeZone: 'UTC' });
  server = await startApiServer(db, 'project: fresh\n', sessions);
  base = await server.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await db?.cleanup();
});

describe.skipIf(!available)('a new project in the dashboard', () => {
  it('shows where to send events, fits a phone, and becomes the report when data lands', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(`${base}/#login=${sessions.issueCode('fresh')}`);
    const onboarding = phone.getByTestId('onboarding');
    await onboarding.waitFor();
    const text = (await onboarding.textContent()) ?? '';
    expect(text).toContain(base);
    for (const sdk of ['Segment', 'RudderStack', 'PostHog', 'powerlens import']) {
      expect(text).toContain(sdk);
    }
    expect(
      await phone.evaluate<number>('document.documentElement.scrollWidth'),
    ).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: `${ARTIFACTS}/onboarding-phone.png`, fullPage: true });
    const desktop = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await desktop.goto(`${base}/#login=${sessions.issueCode('fresh')}`);
    await desktop.getByTestId('onboarding').waitFor();
    await desktop.screenshot({ path: `${ARTIFACTS}/onboarding-desktop.png`, fullPage: true });

    await runImport(db.engine, {
      path: db.file(
        'first.csv',
        'timestamp,user_id,event\n2026-11-30T10:00:00Z,first-user,report_exported\n',
      ),
      projectId: 'fresh',
      timeZone: 'UTC',
      now: new Date('2026-12-01T00:00:00Z'),
    });
    await runRollup(db.engine, { projectId: 'fresh', timeZone: 'UTC', sessionGapMinutes: 30 });
    await desktop.getByRole('button', { name: 'Check again now' }).click();
    await desktop.getByTestId('kpi-active').waitFor();
    expect(await desktop.getByTestId('kpi-active').textContent()).toBe('1');
    await phone.close();
    await desktop.close();
  });
});
