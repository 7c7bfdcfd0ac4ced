import nodemailer from 'nodemailer';
import type { EmailAction } from '../../model/playbook.js';
import type { AttemptResult } from '../retry-policy.js';
import { renderTemplate, type TemplateContext, variable } from '../template.js';

/**
 * The e-mail channel (docs/playbooks.md, "E-mail"): the message is rendered when the delivery is
 * queued, from the traits known then, so every retry sends the same message; it is sent over
 * SMTP with the URL (credentials included) read from the environment variable `smtp_url_env`
 * names when sent: never stored, never logged.
 */

/** The message as queued (the delivery's payload). */
export interface EmailMessage {
  to: string;
  from: string;
  reply_to?: string;
  subject: string;
  text: string;
  html: string | null;
  /** The List-Unsubscribe header's value. */
  list_unsubscribe: string;
  /**
   * Whether List-Unsubscribe carries an https one-click link, so the message may say
   * `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058 section 3.1: only with an
   * https URI). Absent in messages queued before it existed: see oneClickOf.
   */
  one_click?: boolean;
}

/** A recipient that cannot be found: the delivery is recorded dead with this reason. */
export class NoRecipientError extends Error {}

/** The address the action sends to: the user's email trait, or an account trait. */
export function recipientOf(action: EmailAction, ctx: TemplateContext): string {
  const source = action.to === 'user' ? 'user.email' : `account.${action.to.account_trait}`;
  const address = variable(ctx, source).trim();
  const what =
    action.to === 'user'
      ? `user ${ctx.occurrence.subject_id} has no email trait`
      : `account ${ctx.occurrence.account_id || '(none)'} has no ${action.to.account_trait} trait`;
  if (address === '') throw new NoRecipientError(`no recipient: ${what}`);
  if (!/^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/.test(address)) {
    throw new NoRecipientError(`no recipient: ${source} is not an e-mail address`);
  }
  return address;
}

/** The normal form of an address in the suppression list: trimmed, lower case. */
export function normaliseAddress(address: string): string {
  return address.trim().toLowerCase();
}

/** The recipient of a queued e-mail, or null when its payload has none. */
export function recipientOfPayload(payload: string): string | null {
  try {
    const to = (JSON.parse(payload) as { to?: unknown }).to;
    return typeof to === 'string' && to !== '' ? to : null;
  } catch {
    return null;
  }
}

/** Signs the one-click link of a project's address (unsubscribeToken with the kept key). */
export type UnsubscribeSigner = (projectId: string, address: string) => string;

/**
 * Where a one-click link may point: an https address (RFC 8058 asks for one), or plain http on
 * this machine's loopback, so a local serve and the tests get working links too.
 */
export function oneClickBase(baseUrl: string | null | undefined): string | null {
  if (!baseUrl) return null;
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return null;
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) return null;
  return baseUrl.replace(/\/+$/, '');
}

/**
 * The List-Unsubscribe value: a mailto: to the sender, and, when the dashboard's address suits
 * (oneClickBase) and a signer is given, the API's signed one-click link for the recipient.
 * `oneClick`: whether that link is https, the only kind RFC 8058 lets a message announce as
 * one-click (a loopback http link still works through the confirm page it opens).
 */
export function listUnsubscribe(
  from: string,
  to: string,
  projectId: string,
  baseUrl: string | null | undefined,
  sign: UnsubscribeSigner | null = null,
): { value: string; oneClick: boolean } {
  const parts = [`<mailto:${from}?subject=unsubscribe>`];
  const base = oneClickBase(baseUrl);
  if (base !== null && sign !== null) {
    const query = new URLSearchParams({
      project: projectId,
      address: to,
      token: sign(projectId, to),
    });
    parts.push(`<${base}/api/v1/playbooks/unsubscribe?${query}>`);
  }
  const oneClick = base !== null && sign !== null && base.startsWith('https://');
  return { value: parts.join(', '), oneClick };
}

/**
 * Whether a queued message may announce one-click unsubscribe. A message queued before the flag
 * existed has none: it may when its List-Unsubscribe holds an https link (what RFC 8058 asks),
 * so it is sent as it would be if queued now.
 */
export function oneClickOf(message: Pick<EmailMessage, 'list_unsubscribe' | 'one_click'>): boolean {
  if (typeof message.one_click === 'boolean') return message.one_click;
  return /<https:\/\/[^>]+>/.test(String(message.list_unsubscribe ?? ''));
}

/** The message of an occurrence, rendered now (throws NoRecipientError without an address). */
export function emailMessage(
  action: EmailAction,
  ctx: TemplateContext,
  baseUrl: string | null | undefined,
  sign: UnsubscribeSigner | null = null,
): EmailMessage {
  const to = recipientOf(action, ctx);
  const unsub = listUnsubscribe(action.from, to, ctx.occurrence.project_id, baseUrl, sign);
  return {
    to,
    from: action.from,
    ...(action.reply_to ? { reply_to: action.reply_to } : {}),
    subject: renderTemplate(action.subject, ctx).replace(/[\r\n]+/g, ' '),
    text: renderTemplate(action.text, ctx),
    html: action.html === undefined ? null : renderTemplate(action.html, ctx, { html: true }),
    list_unsubscribe: unsub.value,
    one_click: unsub.oneClick,
  };
}

export interface EmailSend {
  /** The delivery id: the Message-ID is made of it, the same on every attempt. */
  id: string;
  /** The delivery's payload (an EmailMessage as JSON). */
  payload: string;
  action: EmailAction;
  env: Readonly<Record<string, string | undefined>>;
}

/** The SMTP URL from the environment, or why there is none. */
function smtpUrl(action: EmailAction, env: EmailSend['env']): string | { error: string } {
  const name = action.smtp_url_env;
  const value = env[name]?.trim();
  if (!value) return { error: `the environment variable ${name} (smtp_url_env) is not set` };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { error: `the environment variable ${name} (smtp_url_env) is not a URL` };
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    return {
      error: `the environment variable ${name} (smtp_url_env) is not an smtp:// or smtps:// URL`,
    };
  }
  return value;
}

/** The SMTP reply code and text of a nodemailer error, or null for a connection error. */
function smtpReply(err: unknown): { code: number; message: string } | null {
  const e = err as { responseCode?: unknown; response?: unknown; message?: unknown };
  if (typeof e?.responseCode !== 'number') return null;
  const text = typeof e.response === 'string' ? e.response : String(e.message ?? '');
  return { code: e.responseCode, message: text.slice(0, 300) };
}

/**
 * One attempt: sends the queued message. Never throws: a missing variable is a `config` result,
 * an SMTP refusal an `smtp` one with its reply code, no connection a `network` one.
 */
export async function sendEmail(send: EmailSend): Promise<AttemptResult> {
  const url = smtpUrl(send.action, send.env);
  if (typeof url !== 'string') return { kind: 'config', error: url.error };
  let message: EmailMessage;
  try {
    message = JSON.parse(send.payload) as EmailMessage;
  } catch {
    return { kind: 'config', error: 'the queued message is not JSON' };
  }
  const timeoutMs = Math.round(send.action.timeout_seconds * 1000);
  const transport = nodemailer.createTransport(url, {
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  } as Parameters<typeof nodemailer.createTransport>[1]);
  const domain = message.from.split('@')[1] ?? 'powerlens.local';
  // nodemailer's limits are per step (connect, greeting, each silence on the socket), so a server
  // answering slowly but steadily could hold one send for many times timeout_seconds. The
  // dispatcher's lease counts on every send being over within it: past it the send is aborted
  // (nodemailer closes its connection) and, whatever is still pending, the attempt is a timeout.
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const overall = new Promise<AttemptResult>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      transport.close();
      resolve({
        kind: 'network',
        timeout: true,
        error: `the SMTP server did not take the message within ${send.action.timeout_seconds} s (timeout_seconds)`,
      });
    }, timeoutMs);
  });
  const sending = attempt(transport, message, { id: send.id, domain, url, signal: abort.signal });
  try {
    return await Promise.race([sending, overall]);
  } finally {
    clearTimeout(timer);
    transport.close();
  }
}

/** Hands the message to the SMTP server once; never throws. */
async function attempt(
  transport: ReturnType<typeof nodemailer.createTransport>,
  message: EmailMessage,
  { id, domain, url, signal }: { id: string; domain: string; url: string; signal: AbortSignal },
): Promise<AttemptResult> {
  try {
    const info = await transport.sendMail({
      signal,
      from: message.from,
      to: message.to,
      ...(message.reply_to ? { replyTo: message.reply_to } : {}),
      subject: message.subject,
      text: message.text,
      ...(message.html !== null ? { html: message.html } : {}),
      messageId: `<${id}@${domain}>`,
      headers: {
        'List-Unsubscribe': message.list_unsubscribe,
        ...(oneClickOf(message) ? { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}),
      },
    });
    const code = Number(String(info.response ?? '250').slice(0, 3));
    return { kind: 'smtp', code: Number.isFinite(code) ? code : 250, message: 'accepted' };
  } catch (err) {
    const reply = smtpReply(err);
    if (reply) return { kind: 'smtp', ...reply };
    const e = err as { code?: unknown; message?: unknown };
    const timeout = e?.code === 'ETIMEDOUT';
    const text = `${typeof e?.code === 'string' ? `${e.code}: ` : ''}${String(e?.message ?? err)}`;
    return { kind: 'network', timeout, error: text.replace(url, '(smtp_url_env)') };
  }
}
