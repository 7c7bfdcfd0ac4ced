import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../src/demo/generate-demo.js';
import { DuckDbEngine } from '../src/engines/duckdb/duckdb-engine.js';
import { runImport } from '../src/ingest/import/run-import.js';
import { createProject } from '../src/projects/run-projects.js';
import { runRollup } from '../src/rollup/run-rollup.js';
import { Sessions } from '../src/server/api/sessions.js';
import { LIFECYCLE_STATES } from '../src/sql/compile-lifecycle.js';
import { type ApiServer, startApiServer } from './helpers/api-server.js';
import { runCli } from './helpers/run-cli.js';
import { openTempDb, type TempDb } from './helpers/temp-db.js';

/**
 * Every CSV the product writes (the API's users export, which the dashboard downloads as it is,
 * and the CLI's users and lifecycle exports), on demo data whose user and account ids are
 * spreadsheet formulas: the cells must reach a spreadsheet as text, the numbers as numbers.
 */

/** One way to start a cell that a spreadsheet would run, per user, in turn (and some plain ids). */
const HOSTILE: ((id: string) => string)[] = [
  (id) => `=HYPERLINK("http://x","${id}")`,
  (id) => `@SUM(1)${id}`,
  (id) => `+1+1${id}`,
  (id) => `-2+3${id}`,
  (id) => `\t${id}`,
  (id) => `\r${id}`,
  (id) => id,
];
const FORMULA_START = /^[=+\-@\t\r]/;
const neutralised = (v: string): string => (FORMULA_START.test(v) ? `'${v}` : v);

let db: TempDb;
let server: ApiServer | undefined;
let readKey: string;
const userIds = new Map<string, string>();
const accountIds = new Map<string, string>();
const sessions = new Sessions();

function hostile(ids: Map<string, string>, id: string): string {
  if (id === '') return id;
  let out = ids.get(id);
  if (out === undefined) {
    out = (HOSTILE[ids.size % HOSTILE.length] as (id: string) => string)(id);
    ids.set(id, out);
  }
  return out;
}

beforeAll(async () => {
  db = await openTempDb();
  const project = await createProject(db.engine, { name: 'Acme', timeZone: 'UTC' });
  readKey = project.read_key;
  const plain = join(db.dir, 'events.csv');
  await generateDemo({
    seed: 7,
    users: 200,
    days: 60,
    end: '2026-10-31',
    outPath: plain,
    truthPath: join(db.dir, 'truth.json'),
  });
  const rows = parse(readFileSync(plain, 'utf8'), { columns: true }) as Record<string, string>[];
  const attacked = rows.map((r) => ({
    ...r,
    user_id: hostile(userIds, r.user_id ?? ''),
    account_id: hostile(accountIds, r.account_id ?? ''),
  }));
  const file = join(db.dir, 'hostile.csv');
  writeFileSync(file, stringify(attacked, { header: true }));
  const imported = await runImport(db.engine, {
    path: file,
    projectId: project.project_id,
    timeZone: 'UTC',
    now: new Date('2026-11-24T00:00:00Z'),
  });
  expect(imported.rejected).toBe(0);
  await runRollup(db.engine, {
    projectId: project.project_id,
    timeZone: 'UTC',
    sessionGapMinutes: 30,
  });
  server = await startApiServer(db, 'project: acme\n', sessions);
  await server.app.ready();
}, 120_000);

afterAll(async () => {
  await server?.close();
  await db?.cleanup();
});

/** The stored ids a CSV may show, each as it must appear once neutralised. */
const expectedCells = (ids: Map<string, string>): Set<string> =>
  new Set([...ids.values()].map(neutralised));

function expectNeutralised(cells: string[], ids: Map<string, string>): void {
  const allowed = expectedCells(ids);
  for (const cell of cells) {
    expect(FORMULA_START.test(cell), JSON.stringify(cell)).toBe(false);
    if (cell !== '') expect(allowed.has(cell), JSON.stringify(cell)).toBe(true);
  }
  // Every kind of formula start was in the export, behind its quote.
  for (const start of ['=', '@', '+', '-', '\t', '\r']) {
    expect(cells.some((c) => c.startsWith(`'${start}`))).toBe(true);
  }
}

describe('CSV exports neutralise cells a spreadsheet would run as formulas', () => {
  it('GET /api/v1/users?format=csv (the dashboard export): quoted, prefixed ids; scores as numbers', async () => {
    if (!server) throw new Error('no server');
    const get = (url: string) =>
      server?.app.inject({ url, headers: { authorization: `Bearer ${readKey}` } });
    const csv = await get('/api/v1/users?format=csv');
    expect(csv?.statusCode).toBe(200);
    const body = csv?.body ?? '';
    // Quoted as OWASP asks, so no spreadsheet splits or re-reads the cell.
    expect(body).toContain(`"'=HYPERLINK(""http://x"",""`);
    const rows = parse(body, { columns: true, relax_quotes: false }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThan(100);
    expectNeutralised(
      rows.map((r) => r.user_id ?? ''),
      userIds,
    );
    expectNeutralised(
      rows.map((r) => r.account_id ?? ''),
      accountIds,
    );

    const json = (await get('/api/v1/users?limit=1000'))?.json() as {
      users: { user_id: string; score: number; signals: Record<string, number> }[];
    };
    const byId = new Map(json.users.map((u) => [neutralised(u.user_id), u]));
    for (const r of rows) {
      const u = byId.get(r.user_id ?? '');
      expect(u, r.user_id).toBeDefined();
      expect(r.score).toBe(String(u?.score));
      expect(Number.isFinite(Number(r.score))).toBe(true);
    }
  });

  it('powerlens users --csv and lifecycle --state --csv: text neutralised, a negative trend stays -N', async () => {
    await server?.close();
    server = undefined;
    // The CLI opens the file itself; DuckDB allows one process at a time.
    await db.engine.close();
    try {
      const cli = (args: string[]) => runCli([...args, '--db', db.dbPath, '--project', 'acme']);
      const users = await cli(['users', '--csv']);
      expect(users.code, users.stderr).toBe(0);
      const userRows = parse(users.stdout, { columns: true }) as Record<string, string>[];
      expectNeutralised(
        userRows.map((r) => r.user_id ?? ''),
        userIds,
      );

      const back = await cli(['backfill', '--from', '2026-09-07']);
      expect(back.code, back.stderr).toBe(0);
      const people: Record<string, string>[] = [];
      let text = '';
      for (const state of LIFECYCLE_STATES) {
        const r = await cli(['lifecycle', '--state', state, '--csv']);
        expect(r.code, r.stderr).toBe(0);
        text += r.stdout;
        people.push(...(parse(r.stdout, { columns: true }) as Record<string, string>[]));
      }
      expectNeutralised(
        people.map((p) => p.user_id ?? ''),
        userIds,
      );
      // Our own negative numbers are not text: no quote, no prefix, still a number.
      const falling = people.filter((p) => Number(p.trend) < 0);
      expect(falling.length).toBeGreaterThan(0);
      for (const p of falling) {
        expect(p.trend).toMatch(/^-\d+(\.\d+)?$/);
        expect(text).toContain(`,${p.trend},`);
      }
    } finally {
      db.engine = await DuckDbEngine.open({ path: db.dbPath });
    }
  }, 120_000);
});
