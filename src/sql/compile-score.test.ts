import { describe, expect, it } from 'vitest';
import { type Definition, defaultDefinition } from '../analysis/default-definition.js';
import { compileScore } from './compile-score.js';

const signals = {
  projectId: 'p',
  asOf: '2026-03-30',
  windowDays: 30,
  loginPattern: 'login',
  collaborationPattern: 'invite',
  feedbackPattern: 'bug',
  advancedShare: 0.2,
};

describe('compileScore', () => {
  it('binds every value that comes from the caller', () => {
    const { sql, params } = compileScore(defaultDefinition(30), signals);
    expect(params).toMatchObject({ p: 'p', asof: '2026-03-30', window: 30 });
    expect(sql).not.toContain('2026-03-30');
    expect(sql).toContain('pass_frequency');
    expect(sql).toContain('top_actions <= 0.2');
  });

  it('refuses signal names and ids that are not plain known names', () => {
    const bad = (patch: (d: Definition) => void) => {
      const d = defaultDefinition(30);
      patch(d);
      return () => compileScore(d, signals);
    };
    expect(
      bad((d) => {
        (d.criteria[0]?.any[0] as { signal: string }).signal = 'days_active; DROP TABLE events';
      }),
    ).toThrow(/unknown signal/);
    expect(
      bad((d) => {
        (d.criteria[0] as { id: string }).id = 'x"y';
      }),
    ).toThrow(/not a plain name/);
    expect(
      bad((d) => {
        (d.criteria[0]?.any[0] as { min: number }).min = Number.NaN;
      }),
    ).toThrow(/not a number/);
  });
});
