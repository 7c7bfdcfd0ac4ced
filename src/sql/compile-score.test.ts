import { describe, expect, it } from 'vitest';
import { duckdb } from '../dialect/duckdb.js';
import { CatalogueSchema } from '../model/catalogue.js';
import { ConfigSchema } from '../model/config.js';
import type { Definition } from '../model/definition.js';
import { resolveDefinition } from '../model/resolve-definition.js';
import { compileScore } from './compile-score.js';

const signals = {
  projectId: 'p',
  asOf: '2026-03-30',
  catalogue: CatalogueSchema.parse({
    features: [{ name: "it's", events: ['x_*'], tags: ['key_action'] }],
  }),
  loginPattern: 'login',
  collaborationPattern: 'invite',
  feedbackPattern: 'bug',
  viewPattern: 'viewed',
  optimizationPattern: 'workflow',
  dialect: duckdb,
};
const defaults = () => resolveDefinition(ConfigSchema.parse({}));

describe('compileScore', () => {
  it('binds every value that comes from the caller', () => {
    const { sql, params } = compileScore(defaults(), signals);
    expect(params).toMatchObject({ p: 'p', asof: '2026-03-30', window: 30, cf0_name: "it's" });
    expect(params.cf0_p0).toBe('x\\_%');
    expect(sql).not.toContain('2026-03-30');
    expect(sql).not.toContain("it's");
    expect(sql).toContain('pass_frequency');
    expect(sql).toContain('days_active >= 20');
    expect(sql).toContain('top_key_actions <= 0.2');
  });

  it('refuses signal names and ids that are not plain known names', () => {
    const bad = (patch: (d: Definition & { kind: 'rule' }) => void) => {
      const d = defaults();
      if (d.kind !== 'rule') throw new Error('expected a rule definition');
      patch(d);
      return () => compileScore(d, signals);
    };
    const first = (d: Definition & { kind: 'rule' }) => {
      const n = d.rule.type === 'criterion' ? d.rule : d.rule.children[0];
      if (n?.type !== 'criterion') throw new Error('expected a criterion');
      return n;
    };
    expect(
      bad((d) => {
        (first(d) as { signal: string }).signal = 'days_active; DROP TABLE events';
      }),
    ).toThrow(/unknown signal/);
    expect(
      bad((d) => {
        first(d).id = 'x"y';
      }),
    ).toThrow(/not a plain name/);
    expect(
      bad((d) => {
        first(d).value = Number.NaN;
      }),
    ).toThrow(/not a number/);
  });
});
