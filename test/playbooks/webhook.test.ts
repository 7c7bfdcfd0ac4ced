import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { WebhookActionSchema } from '../../src/model/playbook.js';
import {
  sendWebhook,
  signingKeys,
  webhookBody,
  webhookSignature,
} from '../../src/playbooks/channels/webhook.js';
import type { Occurrence } from '../../src/playbooks/occurrence.js';

const secret = () => `whsec_${randomBytes(32).toString('base64')}`;

const occurrence: Occurrence = {
  occurrence_id: 'a'.repeat(64),
  project_id: 'default',
  playbook: 'welcome',
  trigger: 'entered_state',
  subject_type: 'user',
  subject_id: 'jo@example.com/1 #2',
  account_id: 'acme',
  period_start: '2031-03-02',
  explanation: 'jo is at risk',
  data: { score: 40, state: 'at_risk' },
};

describe('webhookSignature', () => {
  it('is what the Standard Webhooks reference signs, one signature per secret', () => {
    const [a, b] = [secret(), secret()];
    const body = '{"héllo":"wörld"}';
    const at = new Date('2031-03-04T10:00:00Z');
    const ts = Math.floor(at.getTime() / 1000);
    const expected = [a, b].map((s) => new Webhook(s).sign('msg_1', at, body)).join(' ');
    expect(
      webhookSignature([...signingKeys(a, 'S'), ...signingKeys(b, 'S')], 'msg_1', ts, body),
    ).toBe(expected);
    expect(webhookSignature(signingKeys(`  ${a}   ${b} `, 'S'), 'msg_1', ts, body)).toBe(expected);
  });

  it('refuses a malformed secret naming the variable, never quoting the value', () => {
    for (const bad of ['not-a-secret', 'whsec_', 'whsec_%%%%', 'whsec_abc']) {
      expect(() => signingKeys(bad, 'CRM_SECRET')).toThrow(/^CRM_SECRET \(secret 1\) is not/);
      try {
        signingKeys(bad, 'CRM_SECRET');
      } catch (err) {
        if (bad !== 'whsec_') expect((err as Error).message).not.toContain(bad);
      }
    }
    expect(() => signingKeys(`${secret()} nope`, 'S')).toThrow('S (secret 2) is not');
  });
});

describe('webhookBody', () => {
  it('links to the user on the dashboard, or to nothing', () => {
    const body = JSON.parse(webhookBody(occurrence, 'https://lens.example.com/'));
    expect(body.link).toBe(
      `https://lens.example.com/#/users/${encodeURIComponent('jo@example.com/1 #2')}`,
    );
    expect(body).toMatchObject({
      type: 'playbook.fired',
      subject: { type: 'user', id: 'jo@example.com/1 #2', account_id: 'acme' },
    });
    expect(JSON.parse(webhookBody(occurrence, null)).link).toBeNull();
    expect(JSON.parse(webhookBody(occurrence, undefined)).link).toBeNull();
  });
});

describe('sendWebhook', () => {
  it('gives a connection failure as a network result, without throwing', async () => {
    const action = WebhookActionSchema.parse({
      webhook: { url: 'http://127.0.0.1:9/hook', secret_env: 'S', timeout_seconds: 2 },
    }).webhook;
    const out = await sendWebhook({
      id: 'msg_x',
      body: '{}',
      action,
      env: { S: secret() },
      timestamp: new Date(),
    });
    expect(out).toMatchObject({ kind: 'network', timeout: false });
  });
});
