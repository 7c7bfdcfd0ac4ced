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
  mastered_feature: 'Mastered a feature',
  account_signal: 'Account signal',
  power_user_count_changed: 'Power users moved',
  power_user_share_changed: 'Power-user share moved',
  curve_top_bucket_shrank: 'Top of the activity curve shrank',
  lifecycle_flow: 'Lifecycle flow',
};

/** The fields under the sentence: the user's numbers, or what changed for an account or alert. */
function fields(ctx: TemplateContext, account: string): { type: 'mrkdwn'; text: string }[] {
  const o = ctx.occurrence;
  const field = (name: string, value: string) => ({
    type: 'mrkdwn' as const,
    text: `*${name}*\n${mrkdwn(value || '-')}`,
  });
  const changed = typeof o.data.changed === 'string' ? o.data.changed : '';
  if (o.subject_type === 'account') {
    return [field('Account', account), field('Changed', changed)];
  }
  if (o.subject_type === 'project') return [field('Changed', changed)];
  const segments = Array.isArray(o.data.segments) ? o.data.segments.join(', ') : '';
  const state = typeof o.data.state === 'string' ? o.data.state : '';
  return [
    field('Score', variable(ctx, 'score')),
    field('Account', account),
    field('State', state),
    field('Segments', segments),
  ];
}

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
  const subject =
    o.subject_type === 'user' ? person : o.subject_type === 'account' ? account : 'the project';
  const title = `${TRIGGER_TITLES[o.trigger] ?? o.trigger}: ${subject}`.slice(0, 150);
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: title, emoji: false } },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `*${mrkdwn(subject)}*: ${mrkdwn(o.explanation)}` },
      fields: fields(ctx, account),
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
          action_id: `powerlens_open_${o.subject_type}`,
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
          `playbook ${o.playbook} · ${o.trigger} · period from ${o.period_start}${action.channel ? ` · ${action.channel}` : ''}`,
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
    // Slack answers a refusal with its reason as text (404 no_service, 410 channel_is_archived).
    refusalBytes: 200,
  });
}
