import { randomBytes } from 'node:crypto';
import type { Engine } from '../engines/engine.js';
import {
  type Action,
  type Channel,
  channelOf,
  type Playbook,
  subjectTypeOf,
} from '../model/playbook.js';
import { recipientOfPayload } from './channels/email.js';
import { sendAction } from './channels/send-action.js';
import type { Occurrence } from './occurrence.js';
import { actionPayload, readTemplateTraits, templateContext } from './payloads.js';
import type { AttemptResult } from './retry-policy.js';
import { type PlaybookRunOptions, playbooksToRun, previewPlaybook } from './run-playbooks.js';
import { isSuppressed, SUPPRESSED } from './suppressions.js';
import { unsubscribeSigner } from './unsubscribe-token.js';

export interface TestSend {
  action_index: number;
  channel: Channel;
  /** The webhook-id of the sample (msg_test_...: never one a real delivery has). */
  delivery_id: string;
  /** Whom the sample is about: the first person the playbook would reach now, or a made-up one. */
  subject_id: string;
  sample: boolean;
  ok: boolean;
  status_code: number | null;
  error: string | null;
}

/**
 * A made-up occurrence of the playbook's trigger, when nobody would be reached now: the receiver
 * still sees the shape it will get (about a user, an account or the project).
 */
function sampleOccurrence(projectId: string, name: string, playbook: Playbook): Occurrence {
  const subject = subjectTypeOf(playbook.trigger);
  return {
    occurrence_id: `test_${randomBytes(8).toString('hex')}`,
    project_id: projectId,
    playbook: name,
    trigger: playbook.trigger.on,
    subject_type: subject,
    subject_id:
      subject === 'user' ? 'sample_user' : subject === 'account' ? 'sample_account' : projectId,
    account_id: subject === 'project' ? '' : 'sample_account',
    period_start: new Date().toISOString().slice(0, 10),
    explanation: 'a test sent by powerlens playbooks test: nothing happened',
    data: { test: true },
  };
}

/** A sample e-mail says so in its subject: it goes to the real recipient. */
function testMessage(payload: string): string {
  const message = JSON.parse(payload) as { subject: string };
  return JSON.stringify({ ...message, subject: `[powerlens test] ${message.subject}` });
}

const outcome = (r: AttemptResult) =>
  r.kind === 'response'
    ? {
        ok: r.status >= 200 && r.status < 300,
        status_code: r.status,
        error: r.status >= 200 && r.status < 300 ? null : (r.detail ?? null),
      }
    : r.kind === 'smtp'
      ? {
          ok: r.code >= 200 && r.code < 300,
          status_code: r.code,
          error: r.code >= 200 && r.code < 300 ? null : r.message,
        }
      : { ok: false, status_code: null, error: r.error };

/** One sample, built and checked, ready to send (or already known to fail). */
export interface PreparedTestSend {
  action_index: number;
  action: Action;
  delivery_id: string;
  subject_id: string;
  sample: boolean;
  payload: string;
  /** Why it is not sent (no recipient, suppressed), or undefined to send it. */
  refused?: string;
}

type TestOptions = Pick<
  PlaybookRunOptions,
  'projectId' | 'config' | 'asOf' | 'env' | 'baseUrl' | 'fetch'
> & {
  name: string;
  now: Date;
};

/**
 * The database's part of a test: whom the samples are about, their payloads, whether a
 * recipient is suppressed. The unsubscribe key a link is signed with is made and kept here, so
 * whoever calls this in a transaction must see it committed before sending (POST
 * /playbooks/{name}/test does: it sends after its turn is over).
 */
export async function prepareTestSends(
  engine: Engine,
  options: TestOptions,
): Promise<PreparedTestSend[]> {
  // playbooksToRun refuses a name the config does not have.
  const playbook = playbooksToRun(options.config, options.name)[options.name] as Playbook;
  const [first] = await previewPlaybook(engine, options);
  const occurrence = first
    ? { ...first, data: { ...first.data, test: true } }
    : sampleOccurrence(options.projectId, options.name, playbook);
  const traits = await readTemplateTraits(engine, options.projectId, [occurrence], {
    [options.name]: playbook,
  });
  const ctx = templateContext(occurrence, traits, options.baseUrl);
  const sign = await unsubscribeSigner(engine, { [options.name]: playbook }, options.baseUrl);
  const out: PreparedTestSend[] = [];
  for (const [i, action] of playbook.actions.entries()) {
    const { payload, dead } = actionPayload(action, ctx, options.baseUrl, sign);
    // A test honours the suppression list too.
    const to = dead === undefined && action.email ? recipientOfPayload(payload) : null;
    const suppressed = to !== null && (await isSuppressed(engine, options.projectId, to));
    out.push({
      action_index: i,
      action,
      delivery_id: `msg_test_${randomBytes(9).toString('hex')}`,
      subject_id: occurrence.subject_id,
      sample: first === undefined,
      payload: action.email && dead === undefined ? testMessage(payload) : payload,
      ...(dead !== undefined ? { refused: dead } : suppressed ? { refused: SUPPRESSED } : {}),
    });
  }
  return out;
}

/** Sends prepared samples, one after another; uses no database. */
export async function sendTestSamples(
  prepared: readonly PreparedTestSend[],
  options: Pick<TestOptions, 'env' | 'fetch' | 'now'>,
): Promise<TestSend[]> {
  const out: TestSend[] = [];
  for (const p of prepared) {
    const { action, payload, delivery_id: id } = p;
    const r: AttemptResult =
      p.refused !== undefined
        ? { kind: 'config', error: p.refused }
        : await sendAction(action, {
            id,
            payload,
            env: options.env,
            timestamp: options.now,
            fetch: options.fetch,
          });
    out.push({
      action_index: p.action_index,
      channel: channelOf(action),
      delivery_id: id,
      subject_id: p.subject_id,
      sample: p.sample,
      ...outcome(r),
    });
  }
  return out;
}

/**
 * Sends one sample of each of a playbook's actions now, outside the outbox (nothing recorded,
 * nothing queued): about the first person the playbook would reach, or a made-up one. Each
 * body carries `test: true` in its data so a receiver can tell.
 */
export async function testPlaybook(engine: Engine, options: TestOptions): Promise<TestSend[]> {
  return sendTestSamples(await prepareTestSends(engine, options), options);
}
