import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/helpers/error-of.js';
import { parseConfigText } from './config.js';

const playbook = (lines: string[]) => ['playbooks:', '  invite:', ...lines].join('\n');

describe('playbooks in powerlens.yaml', () => {
  it('reads a playbook with its defaults', () => {
    const config = parseConfigText(
      playbook([
        '    trigger: { on: entered_state, state: at_risk }',
        '    filters: { segments: [advocate], score: { min: 60 } }',
        '    actions:',
        '      - webhook: { url_env: CRM_WEBHOOK_URL, secret_env: CRM_WEBHOOK_SECRET }',
      ]),
      'p.yaml',
    );
    expect(config.playbooks.invite).toEqual({
      enabled: true,
      trigger: { on: 'entered_state', state: 'at_risk' },
      filters: { segments: ['advocate'], score: { min: 60 } },
      actions: [
        {
          webhook: {
            url_env: 'CRM_WEBHOOK_URL',
            secret_env: 'CRM_WEBHOOK_SECRET',
            timeout_seconds: 10,
          },
        },
      ],
      limits: { max_per_run: 1000, cooldown_days: 0 },
    });
  });

  it('names the place and the near miss of a misspelt trigger', () => {
    const message = errorOf(() =>
      parseConfigText(
        playbook([
          '    trigger: { on: became_powr_user }',
          '    actions:',
          '      - webhook: { url: https://example.com/hook, secret_env: CRM_SECRET }',
        ]),
        'p.yaml',
      ),
    );
    expect(message).toContain('p.yaml:3: playbooks.invite.trigger.on:');
    expect(message).toContain('("became_powr_user": did you mean became_power_user?)');
  });

  it('names a misspelt state and action, and a secret that is not a variable name', () => {
    const message = errorOf(() =>
      parseConfigText(
        playbook([
          '    trigger: { on: entered_state, state: at_rsk }',
          '    actions:',
          '      - webhook: { url: https://example.com/hook, secret_env: crm-secret }',
          '      - webhok: { url: https://example.com/hook }',
        ]),
        'p.yaml',
      ),
    );
    expect(message).toContain('p.yaml:3: playbooks.invite.trigger.state:');
    expect(message).toContain('("at_rsk": did you mean at_risk?)');
    expect(message).toContain(
      'p.yaml:5: playbooks.invite.actions.0.webhook.secret_env: an environment variable name such as CRM_WEBHOOK_SECRET',
    );
    expect(message).toContain('"webhok": did you mean webhook?');
  });

  it('asks for exactly one of url and url_env, and for at least one action', () => {
    expect(
      errorOf(() =>
        parseConfigText(
          playbook([
            '    trigger: { on: became_power_user }',
            '    actions:',
            '      - webhook: { secret_env: X }',
          ]),
          'p.yaml',
        ),
      ),
    ).toContain('p.yaml:5: playbooks.invite.actions.0.webhook: give url or url_env (one of them)');
    expect(
      errorOf(() =>
        parseConfigText(
          playbook(['    trigger: { on: became_power_user }', '    actions: []']),
          'p.yaml',
        ),
      ),
    ).toContain('p.yaml:4: playbooks.invite.actions:');
  });

  it('reads slack and email actions with their defaults', () => {
    const config = parseConfigText(
      playbook([
        '    trigger: { on: became_power_user }',
        '    actions:',
        "      - slack: { url_env: SLACK_URL, channel: '#cs-alerts' }",
        '      - email:',
        '          to: { account_trait: csm_email }',
        '          from: cs@example.com',
        '          subject: "{{user.name}} is a power user ({{account.plan}})"',
        '          text: "{{explanation}} {{link}}"',
        '          smtp_url_env: SMTP_URL',
      ]),
      'p.yaml',
    );
    expect(config.playbooks.invite?.actions).toEqual([
      { slack: { url_env: 'SLACK_URL', channel: '#cs-alerts', timeout_seconds: 10 } },
      {
        email: {
          to: { account_trait: 'csm_email' },
          from: 'cs@example.com',
          subject: '{{user.name}} is a power user ({{account.plan}})',
          text: '{{explanation}} {{link}}',
          smtp_url_env: 'SMTP_URL',
          timeout_seconds: 20,
        },
      },
    ]);
  });

  it('names unknown template variables with their near miss, and asks for one channel per action', () => {
    const message = errorOf(() =>
      parseConfigText(
        playbook([
          '    trigger: { on: became_power_user }',
          '    actions:',
          '      - email:',
          '          to: user',
          '          from: not-an-address',
          '          subject: "Hi {{scor}}"',
          '          text: "{{explanaton}} {{nope}}"',
          '          smtp_url_env: SMTP_URL',
          '      - slack: { url_env: SLACK_URL }',
          '        webhook: { url: https://example.com/hook, secret_env: S }',
          '      - slak: { url_env: SLACK_URL }',
        ]),
        'p.yaml',
      ),
    );
    expect(message).toContain(
      'p.yaml:7: playbooks.invite.actions.0.email.from: an e-mail address such as cs@example.com',
    );
    expect(message).toContain(
      'p.yaml:8: playbooks.invite.actions.0.email.subject: unknown template variable {{scor}} (did you mean {{score}}?)',
    );
    expect(message).toContain(
      'p.yaml:9: playbooks.invite.actions.0.email.text: unknown template variable {{explanaton}} (did you mean {{explanation}}?), {{nope}}',
    );
    expect(message).toContain(
      'p.yaml:11: playbooks.invite.actions.1: give exactly one of webhook, slack or email',
    );
    expect(message).toContain('"slak": did you mean slack?');
  });
});
