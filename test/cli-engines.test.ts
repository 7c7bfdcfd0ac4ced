import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChdbEngine } from '../src/engines/clickhouse/chdb-engine.js';
import { DuckDbEngine } from '../src/engines/duckdb/duckdb-engine.js';
import type { Engine, Row } from '../src/engines/engine.js';
import { roundNumbers } from './helpers/conformance.js';
import { runCli } from './helpers/run-cli.js';

/**
 * The CLI on ClickHouse (chDB): rollup, analyze, users, explain and catalog give what they give
 * on DuckDB for the same events; the commands that do not run there yet say so.
 */
let dir: string;
const duckDb = () => join(dir, 'd.duckdb');
const chDir = () => join(dir, 'chdb');

function events(): Row[] {
  const rows: Row[] = [];
  let n = 0;
  for (let u = 0; u < 25; u++) {
    for (let back = 0; back < 30; back += 1 + (u % 5)) {
      const day = new Date(Date.parse('2026-11-24T00:00:00Z') - back * 86_400_000)
        .toISOString()
        .slice(0, 10);
      for (let k = 0; k < 1 + (u % 4); k++) {
        n += 1;
        const ts = `${day} 1${k}:00:00.000`;
        rows.push({
          project_id: 'default',
          message_id: `m${n}`,
          timestamp: ts,
          user_id: `u${String(u).padStart(2, '0')}`,
          anonymous_id: null,
          account_id: `a${u % 3}`,
          event: ['login', 'report_exported', 'invite_sent', 'chart_built', 'alert_set'][
            (u + k) % 5
          ],
          properties: '{}',
          received_at: ts,
          source: 'test',
          batch_id: 'b',
        });
      }
    }
  }
  return rows;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'powerlens-cli-engines-'));
  const rows = events();
  const fill = async (engine: Engine) => {
    await engine.migrate();
    await engine.insert('events', rows);
    await engine.insert('rollup_dirty_days', [{ project_id: 'default', day: '2026-11-24' }]);
    await engine.close();
  };
  await fill(await DuckDbEngine.open({ path: duckDb() }));
  // The CLI runs in another process: this one lets go of the chDB directory first.
  await fill(await ChdbEngine.open({ path: chDir() }));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const both = async (args: string[]) => {
  const duck = await runCli([...args, '--db', duckDb()]);
  const ch = await runCli([...args, '--engine', 'chdb', '--db', chDir()]);
  expect(duck.code, duck.stderr).toBe(0);
  expect(ch.code, ch.stderr).toBe(0);
  return [duck.stdout, ch.stdout] as const;
};

describe('the CLI on ClickHouse (chDB)', () => {
  it('rolls up, analyses, lists users, explains one and lists the catalogue as on DuckDB', async () => {
    const [duckReport, chReport] = await both(['analyze', '--as-of', '2026-11-24', '--json']);
    const strip = (text: string) => {
      const { cache: _c, ...rest } = JSON.parse(text) as Record<string, unknown>;
      return roundNumbers(rest);
    };
    expect(strip(chReport)).toEqual(strip(duckReport));
    const [duckUsers, chUsers] = await both(['users', '--as-of', '2026-11-24', '--csv']);
    expect(chUsers).toBe(duckUsers);
    expect(duckUsers.split('\n')[0]).toContain('user_id');
    const [duckExplain, chExplain] = await both([
      'explain',
      'u04',
      '--as-of',
      '2026-11-24',
      '--json',
    ]);
    expect(roundNumbers(JSON.parse(chExplain))).toEqual(roundNumbers(JSON.parse(duckExplain)));
    const [duckCatalog, chCatalog] = await both(['catalog', '--as-of', '2026-11-24', '--json']);
    expect(JSON.parse(chCatalog)).toEqual(JSON.parse(duckCatalog));
  });

  it('imports a file into ClickHouse, once: the same report as the same file in DuckDB', async () => {
    const csv = join(dir, 'events.csv');
    const lines = events().map((r) =>
      [
        r.message_id,
        `${String(r.timestamp).replace(' ', 'T')}Z`,
        r.user_id,
        r.account_id,
        r.event,
      ].join(','),
    );
    writeFileSync(csv, `message_id,timestamp,user_id,account_id,event\n${lines.join('\n')}\n`);
    const duck = await runCli(['import', csv, '--db', join(dir, 'i.duckdb'), '--json']);
    const ch = await runCli([
      'import',
      csv,
      '--engine',
      'chdb',
      '--db',
      join(dir, 'ich'),
      '--json',
    ]);
    expect(ch.code, ch.stderr).toBe(0);
    const summary = JSON.parse(ch.stdout) as { imported: number; duplicates: number };
    expect(summary.imported).toBe((JSON.parse(duck.stdout) as { imported: number }).imported);
    const again = await runCli([
      'import',
      csv,
      '--engine',
      'chdb',
      '--db',
      join(dir, 'ich'),
      '--json',
    ]);
    expect(JSON.parse(again.stdout)).toMatchObject({ imported: 0, duplicates: summary.imported });
    const args = ['analyze', '--as-of', '2026-11-24', '--json'];
    const a = await runCli([...args, '--db', join(dir, 'i.duckdb')]);
    const b = await runCli([...args, '--engine', 'chdb', '--db', join(dir, 'ich')]);
    const strip = (text: string) => {
      const { cache: _c, ...rest } = JSON.parse(text) as Record<string, unknown>;
      return roundNumbers(rest);
    };
    expect(strip(b.stdout)).toEqual(strip(a.stdout));
  });

  it('runs the demo on chDB with the report and truth check the DuckDB demo gives', async () => {
    const demo = async (engine: string, db: string) => {
      const r = await runCli([
        'demo',
        '--users',
        '150',
        '--days',
        '45',
        '--engine',
        engine,
        '--db',
        join(dir, db),
        '--data-dir',
        join(dir, 'demo-data'),
        '--json',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const { report, truth_check } = JSON.parse(r.stdout) as {
        report: Record<string, unknown>;
        truth_check: { precision: number; recall: number };
      };
      const { cache: _c, ...rest } = report;
      return { report: roundNumbers(rest), truth_check };
    };
    const duck = await demo('duckdb', 'demo.duckdb');
    const ch = await demo('chdb', 'demo-chdb');
    expect(ch).toEqual(duck);
    expect(ch.truth_check.recall).toBeGreaterThan(0.9);
  });

  it('says which commands do not run on ClickHouse yet', async () => {
    const r = await runCli(['failed-events', '--engine', 'chdb', '--db', chDir()]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('this command runs on duckdb for now, not --engine chdb');
  });
});
