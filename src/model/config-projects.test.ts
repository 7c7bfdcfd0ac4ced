import { describe, expect, it } from 'vitest';
import { configForProject, parseConfigText } from './config.js';

const hook = (secret: string) =>
  `{ webhook: { url: "https://hooks.example.com/x", secret_env: ${secret} } }`;

describe('configForProject: playbooks per project', () => {
  const config = parseConfigText(
    [
      'playbooks:',
      '  welcome:',
      '    trigger: { on: became_power_user }',
      `    actions: [${hook('TOP_SECRET')}]`,
      '  winback:',
      '    trigger: { on: stopped_power_user }',
      `    actions: [${hook('TOP_SECRET')}]`,
      'projects:',
      '  acme:',
      '    playbooks:',
      '      welcome:',
      '        enabled: false',
      '        trigger: { on: became_power_user }',
      `        actions: [${hook('ACME_SECRET')}]`,
      '      at_risk:',
      '        trigger: { on: entered_state, state: at_risk }',
      `        actions: [${hook('ACME_SECRET')}]`,
    ].join('\n'),
    'p.yaml',
  );

  it("adds a project's own playbooks to the top-level ones, its own replacing one by name", () => {
    const acme = configForProject(config, 'acme');
    expect(Object.keys(acme.playbooks).sort()).toEqual(['at_risk', 'welcome', 'winback']);
    expect(acme.playbooks.welcome?.enabled).toBe(false);
    expect(acme.playbooks.welcome?.actions[0]?.webhook?.secret_env).toBe('ACME_SECRET');
    expect(acme.playbooks.winback?.actions[0]?.webhook?.secret_env).toBe('TOP_SECRET');
  });

  it('leaves another project with the top-level playbooks only', () => {
    const other = configForProject(config, 'other');
    expect(Object.keys(other.playbooks).sort()).toEqual(['welcome', 'winback']);
    expect(other.playbooks.welcome?.enabled).toBe(true);
  });

  it('checks a project playbook with the playbook schema, naming its key path', () => {
    expect(() =>
      parseConfigText(
        [
          'projects:',
          '  acme:',
          '    playbooks:',
          '      bad:',
          '        trigger: { on: nope }',
        ].join('\n'),
        'p.yaml',
      ),
    ).toThrow(/projects\.acme\.playbooks\.bad/);
  });
});
