import { createHmac } from 'node:crypto';
import type { WebhookAction } from '../../model/playbook.js';
import type { Occurrence } from '../occurrence.js';
import type { AttemptResult } from '../retry-policy.js';
import { subjectLink } from '../template.js';
import { postJson } from './post-json.js';

/**
 * The webhook channel (docs/playbooks.md, "Webhooks"): a POST of the delivery's JSON body, signed
 * per Standard Webhooks (https://www.standardwebhooks.com): `webhook-id` (the delivery id, the
 * same on every attempt), `webhook-timestamp` (this attempt's unix seconds) and
 * `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per secret while
 * rotating). URLs and secrets are read from the environment by name when sent: never stored,
 * never logged.
 */

/** The body every attempt of a delivery sends, fixed when the delivery is queued. */
export interface WebhookBody {
  type: 'playbook.fired';
  playbook: string;
  trigger: string;
  occurrence_id: string;
  subject: { type: string; id: string; account_id: string };
  period_start: string;
  explanation: string;
  data: Occurrence['data'];
  /** The subject's page on the dashboard, or null when no dashboard address is configured. */
  link: string | null;
}

/** The JSON body of an occurrence's webhook; `baseUrl` is the dashboard's address, if any. */
export function webhookBody(occurrence: Occurrence, baseUrl: string | null | undefined): string {
  const body: WebhookBody = {
    type: 'playbook.fired',
    playbook: occurrence.playbook,
    trigger: occurrence.trigger,
    occurrence_id: occurrence.occurrence_id,
    subject: {
      type: occurrence.subject_type,
      id: occurrence.subject_id,
      account_id: occurrence.account_id,
    },
    period_start: occurrence.period_start,
    explanation: occurrence.explanation,
    data: occurrence.data,
    link: subjectLink(occurrence, baseUrl),
  };
  return JSON.stringify(body);
}

/** A delivery that cannot be sent as configured; its message names the variable, never a value. */
export class WebhookConfigError extends Error {}

const SECRET_PREFIX = 'whsec_';

/**
 * The signing keys in an environment variable's value: one `whsec_<base64>` secret, or two
 * separated by whitespace while rotating.
 */
export function signingKeys(value: string, envName: string): Buffer[] {
  const secrets = value.trim().split(/\s+/).filter(Boolean);
  if (secrets.length === 0) throw new WebhookConfigError(`${envName} is empty`);
  return secrets.map((secret, i) => {
    const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : null;
    if (
      encoded === null ||
      encoded === '' ||
      !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ||
      encoded.length % 4 !== 0
    ) {
      throw new WebhookConfigError(
        `${envName} (secret ${i + 1}) is not a signing secret: expected whsec_ followed by base64`,
      );
    }
    return Buffer.from(encoded, 'base64');
  });
}

/** The webhook-signature header: `v1,<signature>` for each key, separated by spaces. */
export function webhookSignature(
  keys: readonly Buffer[],
  id: string,
  timestamp: number,
  body: string,
): string {
  return keys
    .map(
      (key) =>
        `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`,
    )
    .join(' ');
}

export interface WebhookSend {
  /** The webhook-id: the delivery id. */
  id: string;
  body: string;
  action: WebhookAction;
  /** Where URLs and secrets are read from (process.env in production). */
  env: Readonly<Record<string, string | undefined>>;
  /** This attempt's time, for webhook-timestamp. */
  timestamp: Date;
  fetch?: typeof fetch;
}

/** The URL to POST to, from the action or the environment variable it names. */
function targetUrl(action: WebhookAction, env: WebhookSend['env']): string {
  if (action.url !== undefined) return action.url;
  const name = action.url_env ?? '';
  const value = env[name]?.trim();
  if (!value) throw new WebhookConfigError(`the environment variable ${name} (url_env) is not set`);
  try {
    new URL(value);
  } catch {
    throw new WebhookConfigError(`the environment variable ${name} (url_env) is not a URL`);
  }
  return value;
}

/** The signing keys from the environment variable the action names. */
function keysOf(action: WebhookAction, env: WebhookSend['env']): Buffer[] {
  const name = action.secret_env;
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new WebhookConfigError(`the environment variable ${name} (secret_env) is not set`);
  }
  return signingKeys(value, name);
}

/**
 * One attempt: POSTs the body, signed now, within the action's time limit. Never throws: a
 * missing variable or bad secret is a `config` result, no answer a `network` one.
 */
export async function sendWebhook(send: WebhookSend): Promise<AttemptResult> {
  let url: string;
  let keys: Buffer[];
  try {
    url = targetUrl(send.action, send.env);
    keys = keysOf(send.action, send.env);
  } catch (err) {
    if (err instanceof WebhookConfigError) return { kind: 'config', error: err.message };
    throw err;
  }
  const timestamp = Math.floor(send.timestamp.getTime() / 1000);
  return postJson({
    url,
    headers: {
      'user-agent': 'powerlens-webhooks',
      'webhook-id': send.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': webhookSignature(keys, send.id, timestamp, send.body),
    },
    body: send.body,
    timeoutSeconds: send.action.timeout_seconds,
    fetch: send.fetch,
  });
}
