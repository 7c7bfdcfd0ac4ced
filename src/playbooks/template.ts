import type { AccountTraits, UserTraits } from '../analysis/explain-traits.js';
import { normaliseKey } from '../analysis/explain-traits.js';
import { traitValue } from './filters.js';
import type { Occurrence } from './occurrence.js';

/**
 * Templates of Slack and e-mail actions (docs/playbooks.md, "E-mail"): `{{name}}` is replaced by
 * the occurrence's value (user_id, account_id, explanation, playbook, trigger, period_start,
 * score, link, feature, segment, signal), `{{user.TRAIT}}` by the user's identify trait and `{{account.TRAIT}}` by the
 * account's group trait (spellings compared loosely). Unknown names are refused when the config
 * is read; a trait the user or account lacks renders empty.
 */

export interface TemplateContext {
  occurrence: Occurrence;
  /** The subject's page on the dashboard, or null. */
  link: string | null;
  user: UserTraits | undefined;
  account: AccountTraits | undefined;
}

/** The subject's page on the dashboard, or null without a dashboard address. */
export function subjectLink(
  occurrence: Occurrence,
  baseUrl: string | null | undefined,
): string | null {
  const base = baseUrl ? baseUrl.replace(/\/+$/, '') : null;
  if (base === null) return null;
  const id = encodeURIComponent(occurrence.subject_id);
  if (occurrence.subject_type === 'account') return `${base}/#/accounts/${id}`;
  if (occurrence.subject_type === 'project') return `${base}/#/overview`;
  return `${base}/#/users/${id}`;
}

/**
 * The person an occurrence is about: the user for a user trigger; for an account signal, the
 * one it names (a silent champion, a maven moved), else ''; '' for a project alert. `{{user_id}}`
 * and `{{user.TRAIT}}` read this person.
 */
export function personOf(occurrence: Occurrence): string {
  if (occurrence.subject_type === 'user') return occurrence.subject_id;
  const named = occurrence.data.user_id;
  return typeof named === 'string' ? named : '';
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A user's trait by name: email and name as read, any other spelt loosely. */
function userTrait(user: UserTraits | undefined, name: string): unknown {
  if (!user) return undefined;
  const key = normaliseKey(name);
  if (key === 'email' && user.email !== undefined) return user.email;
  if (key === 'name' && user.name !== undefined) return user.name;
  return Object.entries(user.traits).find(([k]) => normaliseKey(k) === key)?.[1];
}

/** The value of one variable, as text ('' when unknown or absent). */
export function variable(ctx: TemplateContext, name: string): string {
  const o = ctx.occurrence;
  if (name.startsWith('user.')) return text(userTrait(ctx.user, name.slice(5)));
  if (name.startsWith('account.')) {
    return ctx.account ? text(traitValue(ctx.account, name.slice(8))) : '';
  }
  switch (name) {
    case 'user_id':
      return personOf(o);
    case 'account_id':
      return o.account_id;
    case 'explanation':
      return o.explanation;
    case 'playbook':
      return o.playbook;
    case 'trigger':
      return o.trigger;
    case 'period_start':
      return o.period_start;
    case 'score':
      return text(o.data.score);
    case 'link':
      return ctx.link ?? '';
    case 'feature':
      return text(o.data.feature);
    case 'segment':
      // The segment joined or left; for any other user trigger, the segments the user is in now.
      return o.data.segment !== undefined
        ? text(o.data.segment)
        : Array.isArray(o.data.segments)
          ? o.data.segments.join(', ')
          : '';
    case 'signal':
      return text(o.data.signal);
    default:
      return '';
  }
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** The template with each `{{variable}}` replaced; `html` escapes the values (not the template). */
export function renderTemplate(
  template: string,
  ctx: TemplateContext,
  options: { html?: boolean } = {},
): string {
  return template.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (_, name: string) => {
    const value = variable(ctx, name);
    return options.html ? escapeHtml(value) : value;
  });
}
