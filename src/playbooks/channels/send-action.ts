import type { Action } from '../../model/playbook.js';
import type { AttemptResult } from '../retry-policy.js';
import { sendEmail } from './email.js';
import { sendSlack } from './slack.js';
import { sendWebhook } from './webhook.js';

export interface ActionSend {
  /** The webhook-id (and the e-mail's Message-ID seed): the delivery's, or a test's. */
  id: string;
  /** The body fixed when queued: the webhook's JSON, Slack's blocks, or the rendered e-mail. */
  payload: string;
  env: Readonly<Record<string, string | undefined>>;
  /** When a webhook is signed. */
  timestamp: Date;
  fetch?: typeof fetch | undefined;
}

/** One attempt at an action on its channel, as the dispatcher and `playbooks test` make it. */
export function sendAction(action: Action, send: ActionSend): Promise<AttemptResult> {
  const viaFetch = send.fetch ? { fetch: send.fetch } : {};
  if (action.slack) {
    return sendSlack({ body: send.payload, action: action.slack, env: send.env, ...viaFetch });
  }
  if (action.email) {
    return sendEmail({ id: send.id, payload: send.payload, action: action.email, env: send.env });
  }
  return sendWebhook({
    id: send.id,
    body: send.payload,
    action: action.webhook as NonNullable<Action['webhook']>,
    env: send.env,
    timestamp: send.timestamp,
    ...viaFetch,
  });
}
