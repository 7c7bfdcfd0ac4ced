import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/helpers/error-of.js';
import { ConfigSchema, parseConfigText } from './config.js';
import { resolveDefinition } from './resolve-definition.js';

describe('configuration errors name the place, the problem and a fix', () => {
  it('an unknown signal: file, line, key path and the near miss', () => {
    const text = [
      'definitions:',
      '  strict:',
      '    rule:',
      '      all:',
      '        - signal: days_activ',
      '          min: 20',
    ].join('\n');
    expect(errorOf(() => parseConfigText(text, 'p.yaml'))).toContain(
      'p.yaml:5: definitions.strict.rule.all.0.signal: unknown signal "days_activ": did you mean days_active?',
    );
  });

  it('an impossible threshold for the window, with a suggestion', () => {
    const text =
      'definitions:\n  x:\n    window_days: 7\n    rule:\n      signal: days_active\n      min: 10\n';
    const message = errorOf(() => parseConfigText(text, 'p.yaml'));
    expect(message).toContain('p.yaml:6: definitions.x.rule.min: impossible threshold');
    expect(message).toContain('at most 7 in a 7-day window, min is 10; try min: 5');
  });

  it('two thresholds, a group and a criterion mixed, at_least above the items', () => {
    const text = [
      'definitions:',
      '  x:',
      '    rule:',
      '      at_least: 3',
      '      of:',
      '        - { signal: core_features, min: 5, top_percent: 3 }',
      '        - { signal: feedback, min: 2, any: [{ signal: events, min: 1 }] }',
    ].join('\n');
    const message = errorOf(() => parseConfigText(text, 'p.yaml'));
    expect(message).toContain('rule.at_least: impossible: at least 3 of 2 items');
    expect(message).toContain(
      'needs exactly one threshold of min, max, top_percent, min_share (has min and top_percent)',
    );
    expect(message).toContain('put groups (all/any/of) in their own item');
  });

  it('bad YAML: line and column', () => {
    expect(errorOf(() => parseConfigText('definitions:\n  a: [1, 2\n', 'p.yaml'))).toMatch(
      /p\.yaml is not valid YAML:\n {2}p\.yaml:3:1: /,
    );
  });

  it('a misspelt option of a fixed list, and a composite weight on an unknown signal', () => {
    const text = [
      'catalogue:',
      '  features:',
      '    - { name: export, events: "report_*", kind: advnced }',
      'definitions:',
      '  c:',
      '    score: { weights: { action: 1 }, cutoff: { top_percent: 10 } }',
    ].join('\n');
    const message = errorOf(() => parseConfigText(text, 'p.yaml'));
    expect(message).toContain('p.yaml:3: catalogue.features.0.kind: ');
    expect(message).toContain('("advnced": did you mean advanced?)');
    expect(message).toContain(
      'p.yaml:6: definitions.c.score.weights.action: unknown signal "action": did you mean actions?',
    );
  });

  it('a definition with both rule and score, or neither', () => {
    expect(
      errorOf(() => parseConfigText('definitions:\n  x: { window_days: 30 }\n', 'p.yaml')),
    ).toContain(
      'p.yaml:2: definitions.x: a definition needs rule: (criteria combined with all/any/at_least) or score: (a weighted composite)',
    );
    const both =
      'definitions:\n  x:\n    rule: { signal: events, min: 1 }\n    score: { weights: { events: 1 }, cutoff: { min_score: 50 } }\n';
    expect(errorOf(() => parseConfigText(both, 'p.yaml'))).toContain(
      'either rule: or score:, not both',
    );
  });

  it('a misspelt key: only the cause, with the near miss; a wrong type shows what was given', () => {
    const text = [
      'projct: x',
      'definitions:',
      '  b:',
      '    rule:',
      '      all:',
      '        - { signal: key_actions, top_percnt: 20 }',
      '        - { signal: days_active, min: twenty }',
      '        - { signal: trend, min: -20 }',
    ].join('\n');
    const message = errorOf(() => parseConfigText(text, 'p.yaml'));
    expect(message).toContain('"top_percnt": did you mean top_percent?');
    expect(message).toContain('"projct": did you mean project?');
    expect(message).toContain('p.yaml:7: definitions.b.rule.all.1.min: ');
    expect(message).toContain('(got "twenty")');
    expect(message).not.toContain('needs exactly one threshold');
    expect(message).not.toContain('all.2');
    expect(message.split('\n')).toHaveLength(4);
  });
});

describe('choosing and changing a definition', () => {
  const config = ConfigSchema.parse({
    definitions: { strict: { rule: { signal: 'days_active', min: 25, id: 'daily' } } },
  });

  it('unknown names get a suggestion', () => {
    expect(errorOf(() => resolveDefinition(config, { name: 'strct' }))).toContain(
      'no definition "strct": did you mean strict?',
    );
  });

  it('a what-if change sets a threshold by signal or by criterion id, and is validated', () => {
    const bySignal = resolveDefinition(config, { name: 'strict', set: ['days_active.min=15'] });
    const byId = resolveDefinition(config, { name: 'strict', set: ['daily.top_percent=10'] });
    expect(bySignal.kind === 'rule' && bySignal.rule).toMatchObject({ op: 'min', value: 15 });
    expect(byId.kind === 'rule' && byId.rule).toMatchObject({ op: 'top_percent', value: 10 });
    expect(
      errorOf(() => resolveDefinition(config, { name: 'strict', set: ['days_active.min=45'] })),
    ).toContain('rule.min: impossible threshold: days_active is at most 30');
    expect(errorOf(() => resolveDefinition(config, { set: ['days_activ.min=15'] }))).toContain(
      'no criterion "days_activ": did you mean days_active?',
    );
    expect(errorOf(() => resolveDefinition(config, { set: ['days_active.min=lots'] }))).toContain(
      'lots is not a number',
    );
    expect(errorOf(() => resolveDefinition(config, { set: ['days_active.min=0x10'] }))).toContain(
      '0x10 is not a number',
    );
    expect(
      errorOf(() => resolveDefinition(config, { windowDays: 14, set: ['window_days=7'] })),
    ).toContain('a window and the what-if change window_days=... both change the window');
  });

  it('a shorter window resolves shares of the window and refuses what no longer fits', () => {
    const d = resolveDefinition(ConfigSchema.parse({}), { windowDays: 7 });
    expect(d.window_days).toBe(7);
    expect(errorOf(() => resolveDefinition(config, { name: 'strict', windowDays: 14 }))).toContain(
      'does not fit a window of 14 days',
    );
  });
});
