import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickhouse } from '../../src/dialect/clickhouse.js';
import { DIALECT_PIECES, type Dialect } from '../../src/dialect/dialect.js';
import { duckdb } from '../../src/dialect/duckdb.js';
import type { Row } from '../../src/engines/engine.js';
import { ENGINES, type EngineName, type OpenEngine, openEngine } from '../helpers/engines.js';

/**
 * Every dialect piece, run on every engine with the same inputs: each must give the same answer
 * (docs/architecture.md, principle 3). A piece a dialect lacks fails here, by name.
 */
describe('every dialect has every piece', () => {
  it.each([duckdb, clickhouse])('$name', (d: Dialect) => {
    for (const piece of DIALECT_PIECES) expect(typeof d[piece], piece).toBe('function');
  });
});

const open = new Map<EngineName, OpenEngine>();

beforeAll(async () => {
  for (const name of ENGINES) {
    const e = await openEngine(name);
    open.set(name, e);
    await e.table('fx', { g: 'String', v: 'Int64', ts: 'DateTime' });
    await e.engine.insert('fx', [
      { g: 'a', v: 1, ts: '2026-03-29 00:30:00' },
      { g: 'a', v: 4, ts: '2026-03-29 01:30:00' },
      { g: 'a', v: 4, ts: '2026-10-25 00:30:00' },
      { g: 'b', v: 10, ts: '2026-10-25 01:30:00' },
      { g: 'b', v: 3, ts: '2026-11-24 23:59:59' },
      { g: 'b', v: 7, ts: '2026-01-01 00:00:00' },
    ]);
  }
}, 120_000);
afterAll(async () => {
  for (const e of open.values()) await e.close();
});

/** Runs the same question on every engine; the answers must agree. */
async function agree(question: (d: Dialect) => string, params: Record<string, unknown> = {}) {
  const got = new Map<EngineName, Row[]>();
  for (const [name, e] of open) {
    got.set(name, await e.engine.query(question(e.dialect), params as never));
  }
  const [first, ...rest] = [...got.values()];
  for (const r of rest) expect(r).toEqual(first);
  return first ?? [];
}

describe.skipIf(ENGINES.length === 0)(`dialect pieces agree on ${ENGINES.join(' and ')}`, () => {
  it('localDay: the calendar day in a zone, across DST changes', async () => {
    for (const tz of ['UTC', 'Europe/Berlin', 'America/New_York', 'Pacific/Chatham']) {
      const rows = await agree(
        (d) =>
          `SELECT v, CAST(${d.localDay('ts', d.param('tz', 'String'))} AS VARCHAR) AS day FROM fx ORDER BY v`,
        { tz },
      );
      expect(rows).toHaveLength(6);
    }
    const [row] = await agree(
      (d) =>
        `SELECT CAST(${d.localDay(d.param('at', 'DateTime'), d.param('tz', 'String'))} AS VARCHAR) AS day`,
      { at: '2026-11-24T23:30:00Z', tz: 'Pacific/Chatham' },
    );
    expect(row).toEqual({ day: '2026-11-25' });
  });

  it('dates, day arithmetic and epoch seconds', async () => {
    const [row] = await agree(
      (d) =>
        `SELECT CAST(${d.minusDays(d.date(d.param('asof', 'Date')), d.param('n', 'Int64'))} AS VARCHAR) AS day,
          ${d.epochSeconds(d.param('at', 'DateTime'))} AS secs,
          ${d.instantText(d.param('at', 'DateTime'))} AS at`,
      { asof: '2026-03-01', n: 1, at: '2026-11-24T12:00:00.250Z' },
    );
    expect(row).toEqual({ day: '2026-02-28', secs: 1795521600.25, at: '2026-11-24T12:00:00Z' });
  });

  it('aggregates: exact distinct counts, conditional counts and sums, the median', async () => {
    const rows = await agree(
      (d) => `SELECT g, ${d.countDistinct('v')} AS distinct_v, ${d.countIf('v > 3')} AS big,
        ${d.sumIf('v', 'v > 3')} AS big_sum, ${d.median('v')} AS med
        FROM fx GROUP BY g ORDER BY g`,
    );
    expect(rows).toEqual([
      { g: 'a', distinct_v: 2, big: 2, big_sum: 8, med: 4 },
      { g: 'b', distinct_v: 3, big: 2, big_sum: 17, med: 7 },
    ]);
    const [even] = await agree((d) => `SELECT ${d.median('v')} AS med FROM fx WHERE v < 10`);
    expect(even).toEqual({ med: 4 });
  });

  it('lists, percent steps, division', async () => {
    const [row] = await agree(
      (d) =>
        `SELECT ${d.listHas(d.param('names', 'Array(String)'), "'b'")} AS has_b,
          ${d.listHas(d.param('names', 'Array(String)'), "'z'")} AS has_z, ${d.divide('1', '4')} AS q`,
      { names: ['a', 'b'] },
    );
    expect(row).toEqual({ has_b: true, has_z: false, q: 0.25 });
    const steps = await agree((d) => `SELECT pct FROM (${d.percentSteps(5)}) ORDER BY pct`);
    expect(steps.map((r) => r.pct)).toEqual(Array.from({ length: 21 }, (_, i) => i * 5));
  });

  it('LIKE with backslash escapes, regular expressions, bool_or over an outer join', async () => {
    const rows = await agree(
      (d) => `SELECT g, ${d.like('g', d.param('pat', 'String'))} AS liked,
          ${d.regexpMatches("concat('x_', g)", d.param('re', 'String'))} AS matched
        FROM (SELECT DISTINCT g FROM fx) ORDER BY g`,
      { pat: 'a%', re: '(^|_)b$' },
    );
    expect(rows).toEqual([
      { g: 'a', liked: true, matched: false },
      { g: 'b', liked: false, matched: true },
    ]);
    const [escaped] = await agree(
      (d) => `SELECT ${d.like("'a_c'", "'a\\_c'")} AS lit, ${d.like("'abc'", "'a\\_c'")} AS other`,
    );
    expect(escaped).toEqual({ lit: true, other: false });
    const ors = await agree(
      (d) => `SELECT k.g, ${d.boolOr('f.v > 5')} AS any_big
        FROM (SELECT 'a' AS g UNION ALL SELECT 'b' UNION ALL SELECT 'c') k
        LEFT JOIN fx f ON f.g = k.g GROUP BY k.g ORDER BY k.g`,
    );
    expect(ors).toEqual([
      { g: 'a', any_big: false },
      { g: 'b', any_big: true },
      { g: 'c', any_big: null },
    ]);
  });

  it("scratch tables are the connection's own, not tables of the database", async () => {
    const rows = await agree(
      (d) => `SELECT count(*) AS n FROM fx WHERE g = ${d.param('g', 'String')}`,
      { g: 'a' },
    );
    for (const e of open.values()) {
      const d = e.dialect;
      await e.engine.run(d.scratchTable('scratch_fx', 'SELECT g, v FROM fx'));
      const [shared] = await e.engine.query<{ n: number }>(
        d.name === 'duckdb'
          ? "SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'scratch_fx' AND NOT temporary"
          : "SELECT count() AS n FROM system.tables WHERE name = 'scratch_fx' AND database = currentDatabase()",
      );
      expect(shared?.n, e.dialect.name).toBe(0);
      const [mine] = await e.engine.query<{ n: number }>(
        "SELECT count(*) AS n FROM scratch_fx WHERE g = 'a'",
      );
      expect(mine?.n).toBe(rows[0]?.n);
      await e.engine.run('DROP TABLE scratch_fx');
    }
  });

  it('a hostile string stays a value', async () => {
    const hostile = "x'); DROP TABLE fx; --";
    const [row] = await agree((d) => `SELECT ${d.param('s', 'String')} AS s`, { s: hostile });
    expect(row).toEqual({ s: hostile });
  });
});
