import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../engines/duckdb/duckdb-engine.js';
import { ConfigSchema } from '../model/config.js';
import { resolveDefinition } from '../model/resolve-definition.js';
import { attainmentSql } from './compile-score.js';

/** Attainment (docs/lifecycle.md) of one user's signals, worked out by hand. */
let engine: DuckDbEngine;
beforeAll(async () => {
  engine = await DuckDbEngine.open({ path: ':memory:' });
});
afterAll(async () => {
  await engine.close();
});

const definition = (rule: unknown) =>
  resolveDefinition(ConfigSchema.parse({ definitions: { default: { window_days: 30, rule } } }));

async function attainment(
  rule: unknown,
  signals: Record<string, number | boolean>,
): Promise<number> {
  const columns = Object.entries(signals)
    .map(([name, v]) => `${v} AS ${name}`)
    .join(', ');
  const [row] = await engine.query<{ a: number }>(
    `SELECT ${attainmentSql(definition(rule))} AS a FROM (SELECT ${columns}) s`,
  );
  return row?.a ?? Number.NaN;
}

describe('attainment', () => {
  const twoOfThree = {
    at_least: 2,
    of: [
      { signal: 'days_active', min: 20 },
      { signal: 'core_features', min: 4 },
      { signal: 'collaboration', min: 4 },
    ],
  };

  it('at_least k: the mean of the best k children, ties counted once', async () => {
    // 10/20 = .5, 4/4 = 1, 1/4 = .25: the best two, (1 + .5) / 2.
    expect(
      await attainment(twoOfThree, { days_active: 10, core_features: 4, collaboration: 1 }),
    ).toBe(0.75);
    // .5, .5, .25: both halves.
    expect(
      await attainment(twoOfThree, { days_active: 10, core_features: 2, collaboration: 1 }),
    ).toBe(0.5);
    // Two pass: 1 exactly when the rule passes.
    expect(
      await attainment(twoOfThree, { days_active: 20, core_features: 4, collaboration: 0 }),
    ).toBe(1);
  });

  it('the default definition: all of frequency, breadth (any) and habit (at least 1 of 3)', async () => {
    const d = resolveDefinition(ConfigSchema.parse({}));
    if (d.kind !== 'rule') throw new Error('expected a rule definition');
    // A regular user: 10 of the 20 days (.5); breadth the better of 3/5 core (.6) and 0/2
    // advanced; habit the best of depth (top 50%: (1 - .5) / .8 = .625), collaboration 0/3 and
    // consistency 12/10 (1): (.5 + .6 + 1) / 3 = .7.
    const [row] = await engine.query<{ a: number }>(
      `SELECT ${attainmentSql(d)} AS a FROM (SELECT 10 AS days_active, 3 AS core_features,
         0 AS advanced_features, 0.5 AS top_key_actions, 0 AS collaboration, 12 AS active_weeks) s`,
    );
    expect(row?.a).toBeCloseTo(0.7, 10);
  });
});
