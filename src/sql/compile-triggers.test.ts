import { describe, expect, it } from 'vitest';
import { duckdb } from '../dialect/duckdb.js';
import { compileTriggerCandidates } from './compile-triggers.js';

/*
 * Golden SQL of the playbook triggers (as golden-sql.test.ts for the other compilers): the exact
 * text, pinned in __golden__/triggers-candidates.sql. After an intended change:
 *   npx vitest run src/sql/compile-triggers.test.ts --update
 * and review the diff like code. The project, definition, period kind and period's first day
 * reach the engine as bound parameters, never as SQL text.
 */

const PROJECT = "proj_'trig_q7";
const DEFINITION = "def_'x";
const PERIOD = "week_'z";
const AT = '2031-07-14';

describe('compile-triggers', () => {
  it('reads the users with a state or segments in one period and the one before, values bound', async () => {
    const q = compileTriggerCandidates(
      {
        projectId: PROJECT,
        definition: DEFINITION,
        period: PERIOD,
        rules: {
          atRiskDropPercent: 50,
          emergingMinAttainment: 60,
          emergingMinRise: 20,
          emergingPeriods: 3,
        },
        dialect: duckdb,
      },
      AT,
    );
    for (const v of [PROJECT, DEFINITION, PERIOD, AT]) {
      expect(q.sql, `"${v}" in SQL text`).not.toContain(v);
    }
    expect(q.params).toMatchObject({ p: PROJECT, def: DEFINITION, period: PERIOD, at: AT });
    await expect(`${q.sql}\n`).toMatchFileSnapshot('./__golden__/triggers-candidates.sql');
  });
});
