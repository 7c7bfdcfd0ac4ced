import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/dialect/dialect.js';
import type { Row } from '../../src/engines/engine.js';
import { SIGNAL_NAMES } from '../../src/model/signals.js';
import {
  compileConcentrationTop,
  compileCurve,
  compileGini,
  compileGroupStats,
  compileL7Curve,
  compileLorenz,
} from '../../src/sql/compile-report.js';
import { expectAllEqual, roundNumbers } from '../helpers/conformance.js';
import { ENGINES, type EngineName, type OpenEngine, openEngine } from '../helpers/engines.js';

/**
 * The report's compiled queries, run on every engine over the same fixture (`scored`, and
 * `user_day` for the L7 curve): every answer must be the same (issue 5, conformance).
 */
const open = new Map<EngineName, OpenEngine>();

/** 60 users with ties, zeros and one heavy tail, the same on every engine. */
function scoredRows(): Row[] {
  return Array.from({ length: 60 }, (_, i) => {
    const row: Row = { user_id: `u${String(i).padStart(2, '0')}` };
    SIGNAL_NAMES.forEach((s, k) => {
      row[s] = ((i * 7 + k * 3) % 13) + (k % 2 === 0 ? 0 : 0.5);
    });
    row.days_active = 1 + (i % 30);
    row.days_active_7 = i % 8;
    row.key_actions = i < 5 ? 500 - i * 50 : i % 6 === 0 ? 0 : (i * 13) % 40;
    row.is_power_user = i % 4 === 0;
    return row;
  });
}

function userDayRows(): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < 40; i++) {
    for (let d = 0; d < 1 + (i % 9); d++) {
      const day = `2026-11-${String(24 - d).padStart(2, '0')}`;
      rows.push({
        project_id: 'p1',
        user_id: `u${String(i).padStart(2, '0')}`,
        anonymous: i === 39,
        account_id: '',
        day,
        events: 1 + d,
        sessions: 1,
        active_seconds: 60,
        first_seen: `${day} 10:00:00`,
        last_seen: `${day} 10:01:00`,
        session_seconds: [60],
      });
    }
  }
  return rows;
}

beforeAll(async () => {
  for (const name of ENGINES) {
    const e = await openEngine(name);
    open.set(name, e);
    await e.table('scored', {
      user_id: 'String',
      is_power_user: 'Bool',
      ...Object.fromEntries(SIGNAL_NAMES.map((s) => [s, 'Float64' as const])),
    });
    await e.engine.insert('scored', scoredRows());
    await e.engine.insert('user_day', userDayRows());
  }
}, 120_000);
afterAll(async () => {
  for (const e of open.values()) await e.close();
});

/** Runs a compiled query on every engine; the answers must be the same, to 1e-9. */
async function agree(compile: (d: Dialect) => string, params: Record<string, unknown> = {}) {
  const got: Row[][] = [];
  for (const e of open.values()) {
    const rows = await e.engine.query(compile(e.dialect), params as never);
    got.push(rows.map(roundNumbers));
  }
  return expectAllEqual(got) ?? [];
}

describe.skipIf(ENGINES.length === 0)(`the report agrees on ${ENGINES.join(' and ')}`, () => {
  it('Power User Curves, L30 and L7', async () => {
    const l30 = await agree((d) => compileCurve('days_active', d));
    expect(l30).toHaveLength(30);
    expect(l30.reduce((n, r) => n + Number(r.users), 0)).toBe(60);
    const l7 = await agree((d) => compileL7Curve(d), { p: 'p1', asof: '2026-11-24' });
    expect(l7.map((r) => r.days_active)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('concentration: top shares, the Lorenz curve and the Gini coefficient', async () => {
    const [top] = await agree((d) => compileConcentrationTop(d));
    expect(Number(top?.top_20)).toBeGreaterThan(Number(top?.top_5));
    const lorenz = await agree((d) => compileLorenz(d));
    expect(lorenz).toHaveLength(21);
    expect(lorenz.at(-1)?.actions_share).toBe(1);
    const [gini] = await agree(() => compileGini());
    expect(Number(gini?.gini)).toBeGreaterThan(0.3);
  });

  it('power users against everyone else: medians and means of every signal', async () => {
    const rows = await agree((d) => `${compileGroupStats(d)} ORDER BY is_power_user`);
    expect(rows.map((r) => r.is_power_user)).toEqual([false, true]);
    expect(rows.map((r) => r.users)).toEqual([45, 15]);
  });
});
