import type { SlackAction } from '../../model/playbook.js';
import type { AttemptResult } from '../retry-policy.js';
import { type TemplateContext, variable } from '../template.js';
import { postJson } from './post-json.js';

/**
 * The Slack channel (docs/playbooks.md, "Slack"): a POST of a Block Kit message to an incoming
 * webhook, whose URL is a secret read from the environment variable `url_env` names when sent
 * (never stored, never logged). The body is fixed when the delivery is queued.
 */

/** Slack's mrkdwn needs &, < and > escaped in text taken from the data. */
function mrkdwn(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const TRIGGER_TITLES: Record<string, string> = {
  became_power_user: 'New power user',
  stopped_power_user: 'Stopped being a power user',
  entered_state: 'Lifecycle change',
  joined_segment: 'Joined a segment',
  left_segment: 'Left a segment',
};

/** The Block Kit JSON body of an occurrence's Slack message. */
export function slackBody(action: SlackAction, ctx: TemplateContext): string {
  const o = ctx.occurrence;
  const who = variable(ctx, 'user.name') || variable(ctx, 'user.email');
  const person = who ? `${who} (${o.subject_id})` : o.subject_id;
  const accountName = variable(ctx, 'account.name');
  const account = o.account_id
    ? accountName && accountName !== o.account_id
      ? `${accountName} (${o.account_id})`
      : o.account_id
    : 'none';
  const segments = Array.isArray(o.data.segments) ? o.data.segments.join(', ') : '';
  const state = typeof o.data.state === 'string' ? o.data.state : '';
  const score = variable(ctx, 'score');
  const title = `${TRIGGER_TITLES[o.trigger] ?? o.trigger}: ${person}`.slice(0, 150);
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: title, emoji: false } },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `*${mrkdwn(person)}*: ${mrkdwn(o.explanation)}` },
      fields: [
        { type: 'mrkdwn', text: `*Score*\n${score === '' ? '-' : mrkdwn(score)}` },
        { type: 'mrkdwn', text: `*Account*\n${mrkdwn(account)}` },
        { type: 'mrkdwn', text: `*State*\n${mrkdwn(state || '-')}` },
        { type: 'mrkdwn', text: `*Segments*\n${mrkdwn(segments || '-')}` },
      ],
    },
  ];
  if (ctx.link) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open in powerlens' },
          url: ctx.link,
          action_id: 'powerlens_open_user',
        },
      ],
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: mrkdwn(
          `playbook ${o.playbook} · ${o.trigger} · week of ${o.period_start}${action.channel ? ` · ${action.channel}` : ''}`,
        ),
      },
    ],
  });
  const body: Record<string, unknown> = {
    text: `${title}: ${o.explanation}`,
    blocks,
  };
  if (action.channel) body.channel = action.channel;
  return JSON.stringify(body);
}

export interface SlackSend {
  body: string;
  action: SlackAction;
  env: Readonly<Record<string, string | undefined>>;
  fetch?: typeof fetch;
}

/** One attempt: POSTs the body within the time limit. Never throws. */
export async function sendSlack(send: SlackSend): Promise<AttemptResult> {
  const name = send.action.url_env;
  const url = send.env[name]?.trim();
  if (!url)
    return { kind: 'config', error: `the environment variable ${name} (url_env) is not set` };
  try {
    new URL(url);
  } catch {
    return { kind: 'config', error: `the environment variable ${name} (url_env) is not a URL` };
  }
  return postJson({
    url,
    headers: { 'user-agent': 'powerlens-slack' },
    body: send.body,
    timeoutSeconds: send.action.timeout_seconds,
    fetch: send.fetch,
  });
}
