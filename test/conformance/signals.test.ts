import { describe, expect, it } from 'vitest';
import {
  COLLABORATION_LIKE,
  FEEDBACK_LIKE,
  LOGIN_LIKE,
  OPTIMIZATION_LIKE,
  VIEW_LIKE,
} from '../../src/analysis/catalogue-rules.js';
import type { Row } from '../../src/engines/engine.js';
import { SIGNAL_NAMES } from '../../src/model/signals.js';
import { compileFeatures, compileUserFeatures } from '../../src/sql/compile-features.js';
import { compileSignals } from '../../src/sql/compile-signals.js';
import { expectAllEqual, roundNumbers } from '../helpers/conformance.js';
import { ENGINES } from '../helpers/engines.js';

import { AS_OF, CATALOGUES, useSignalEngines } from '../helpers/signals-fixture.js';

/**
 * Every signal of every user, from the same rollup rows on every engine: the same values
 * (issue 5). The scores from them are compared in scores.test.ts (a file of their own, so the
 * two run side by side).
 */
const open = useSignalEngines();

describe.skipIf(ENGINES.length === 0)(`signals agree on ${ENGINES.join(' and ')}`, () => {
  for (const [label, catalogue] of Object.entries(CATALOGUES)) {
    for (const windowDays of [7, 30, 90]) {
      it(`${label} catalogue, ${windowDays}-day window`, async () => {
        const results: Row[][] = [];
        for (const e of open.values()) {
          const { ctes, params } = compileSignals({
            projectId: 'p1',
            asOf: AS_OF,
            windowDays,
            catalogue,
            loginPattern: LOGIN_LIKE,
            collaborationPattern: COLLABORATION_LIKE,
            feedbackPattern: FEEDBACK_LIKE,
            viewPattern: VIEW_LIKE,
            optimizationPattern: OPTIMIZATION_LIKE,
            dialect: e.dialect,
          });
          const rows = await e.engine.query(
            `WITH ${ctes} SELECT * FROM signals ORDER BY user_id`,
            params,
          );
          results.push(rows.map(roundNumbers));
        }
        const first = expectAllEqual(results);
        expect(first?.length).toBeGreaterThan(10);
        expect(first?.some((r) => r.user_id === 'anon-1')).toBe(false);
        for (const s of SIGNAL_NAMES) expect(first?.[0]).toHaveProperty(s);
        expect(first?.find((r) => r.user_id === 'u-half')?.session_seconds_mean).toBe(123.5);
      });
    }
  }
});

describe.skipIf(ENGINES.length === 0)(`feature listings agree on ${ENGINES.join(' and ')}`, () => {
  it('the effective catalogue with users per feature, and one user’s features', async () => {
    const results: Row[][][] = [];
    for (const e of open.values()) {
      const input = {
        projectId: 'p1',
        asOf: AS_OF,
        windowDays: 30,
        catalogue: CATALOGUES.configured,
        loginPattern: LOGIN_LIKE,
        collaborationPattern: COLLABORATION_LIKE,
        feedbackPattern: FEEDBACK_LIKE,
        viewPattern: VIEW_LIKE,
        optimizationPattern: OPTIMIZATION_LIKE,
        dialect: e.dialect,
      };
      const all = compileFeatures(input, false);
      const one = compileUserFeatures(input);
      results.push([
        await e.engine.query(all.sql, all.params),
        await e.engine.query(one.sql, { ...one.params, user: 'u05' }),
      ]);
    }
    const first = expectAllEqual(results);
    expect(first?.[0]?.length).toBeGreaterThan(3);
    expect(first?.[1]?.length).toBeGreaterThan(0);
  });
});
