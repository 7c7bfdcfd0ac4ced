import {
  type AccountTraits,
  readAccountTraits,
  readUserTraits,
  type UserTraits,
} from '../analysis/explain-traits.js';
import type { Engine } from '../engines/engine.js';
import { type Action, type Channel, channelOf, type Playbook } from '../model/playbook.js';
import { emailMessage, NoRecipientError, type UnsubscribeSigner } from './channels/email.js';
import { slackBody } from './channels/slack.js';
import { webhookBody } from './channels/webhook.js';
import type { Occurrence } from './occurrence.js';
import { personOf, subjectLink, type TemplateContext } from './template.js';

/**
 * What each action of an occurrence sends, fixed when its delivery is queued: the webhook's JSON
 * body, the Slack message's Block Kit JSON, or the rendered e-mail (recipient, subject, parts)
 * from the traits known then.
 */

export type ActionPayload =
  | { channel: Channel; payload: string; dead?: undefined }
  /** Nothing can be sent (no recipient): the delivery is recorded dead with this reason. */
  | { channel: Channel; payload: string; dead: string };

/** The traits the templates of these occurrences may read, when one of their actions needs them. */
export async function readTemplateTraits(
  engine: Engine,
  projectId: string,
  occurrences: readonly Occurrence[],
  playbooks: Readonly<Record<string, Playbook>>,
): Promise<{ users: Map<string, UserTraits>; accounts: Map<string, AccountTraits> }> {
  const needing = occurrences.filter((o) =>
    playbooks[o.playbook]?.actions.some((a) => a.slack !== undefined || a.email !== undefined),
  );
  if (needing.length === 0) return { users: new Map(), accounts: new Map() };
  // The person each is about (an account signal's champion or maven), whose traits
  // {{user.TRAIT}} reads.
  const users = await readUserTraits(
    engine,
    projectId,
    needing.map(personOf).filter((u) => u !== ''),
  );
  const accounts = await readAccountTraits(
    engine,
    projectId,
    needing.map((o) => o.account_id).filter((a) => a !== ''),
  );
  return { users, accounts };
}

/** The context an occurrence's templates are rendered in. */
export function templateContext(
  occurrence: Occurrence,
  traits: { users: Map<string, UserTraits>; accounts: Map<string, AccountTraits> },
  baseUrl: string | null | undefined,
): TemplateContext {
  return {
    occurrence,
    link: subjectLink(occurrence, baseUrl),
    user: traits.users.get(personOf(occurrence)),
    account: occurrence.account_id ? traits.accounts.get(occurrence.account_id) : undefined,
  };
}

/** The payload of one action of an occurrence. */
export function actionPayload(
  action: Action,
  ctx: TemplateContext,
  baseUrl: string | null | undefined,
  sign: UnsubscribeSigner | null = null,
): ActionPayload {
  const channel = channelOf(action);
  if (action.slack) return { channel, payload: slackBody(action.slack, ctx) };
  if (action.email) {
    try {
      return { channel, payload: JSON.stringify(emailMessage(action.email, ctx, baseUrl, sign)) };
    } catch (err) {
      if (!(err instanceof NoRecipientError)) throw err;
      return { channel, payload: JSON.stringify({ to: null }), dead: err.message };
    }
  }
  return { channel, payload: webhookBody(ctx.occurrence, baseUrl) };
}
