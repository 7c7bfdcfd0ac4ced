import type { ListingTag } from '../model/catalogue.js';
import {
  chanceUnseen,
  NEW_FEATURE_MAX_CHANCE,
  NEW_FEATURE_MIN_DAYS,
} from '../sql/compile-catalogue.js';
import { VIEW_LIKE } from './catalogue-rules.js';

/** One feature of the effective catalogue as compileFeatures lists it. */
export interface FeatureRow {
  feature: string;
  inferred: boolean;
  is_advanced: boolean;
  is_login: boolean;
  is_collaboration: boolean;
  is_feedback: boolean;
  is_optimization: boolean;
  is_key: boolean;
  released: string | null;
  release_inferred: boolean;
  first_seen: string | null;
  user_days: number | null;
  days_seen: number | null;
  data_start: string | null;
  median_users: number | null;
  users: number;
}

export interface ReasonContext {
  activeUsers: number;
  /** advanced_below_percent of the catalogue. */
  advancedBelowPercent: number;
  /** Whether any feature is tagged key_action (else key actions are the actions but views). */
  anyKeyAction: boolean;
}

const pct = (n: number, of: number) => `${of > 0 ? ((100 * n) / of).toFixed(1) : '0.0'}%`;
const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
const isView = (name: string) => new RegExp(VIEW_LIKE).test(name.toLowerCase());

/** The tags a listing shows for a feature: its configured or inferred ones, and innovation. */
export function listingTags(r: FeatureRow): ListingTag[] {
  const tags: ListingTag[] = [];
  if (r.is_key) tags.push('key_action');
  if (r.is_collaboration) tags.push('collaboration');
  if (r.is_feedback) tags.push('feedback');
  if (r.is_login) tags.push('login');
  if (r.is_optimization) tags.push('optimization');
  if (r.released !== null) tags.push('innovation');
  return tags;
}

function kindReason(r: FeatureRow, ctx: ReasonContext): string {
  const kind = r.is_advanced ? 'advanced' : 'core';
  if (!r.inferred)
    return r.is_login && !r.is_advanced ? 'core: a login feature' : `${kind}: configured`;
  if (r.is_login) return 'core: a login-like feature is presence, not use (never advanced)';
  if (r.is_collaboration) return 'core: counted as collaboration, not as advanced';
  if (r.is_feedback) return 'core: counted as feedback, not as advanced';
  const share = `used by ${pct(r.users, ctx.activeUsers)} of active users`;
  const bar = ctx.advancedBelowPercent;
  const median = `the median feature's ${pct(r.median_users ?? 0, ctx.activeUsers)}`;
  if (!r.is_advanced) return `core: ${share} (not below ${bar}%, nor under half ${median})`;
  return r.users < (bar / 100) * ctx.activeUsers
    ? `advanced: ${share} (below ${bar}%)`
    : `advanced: ${share}, under half ${median}`;
}

function innovationReason(r: FeatureRow): string | null {
  if (r.released !== null && !r.release_inferred) {
    return `innovation: released ${r.released} (configured)`;
  }
  if (!r.inferred || r.first_seen === null || r.data_start === null) return null;
  const before = daysBetween(r.data_start, r.first_seen);
  if (before <= 0) return null;
  const start = `${before} day${before === 1 ? '' : 's'} after the data starts on ${r.data_start}`;
  if (before < NEW_FEATURE_MIN_DAYS) {
    return `not new: first seen ${r.first_seen}, only ${start} (a release needs ${NEW_FEATURE_MIN_DAYS} days of data before it)`;
  }
  const uses = r.user_days ?? 0;
  const since = r.days_seen ?? 1;
  const chance = chanceUnseen(uses, before, since);
  const odds = `${uses.toLocaleString('en-US')} use${uses === 1 ? '' : 's'} in the ${since} day${since === 1 ? '' : 's'} since`;
  if (r.release_inferred) {
    return `innovation: first seen ${r.first_seen}, ${start}; ${odds}, none before: a feature there all along would show that with a chance under ${100 * NEW_FEATURE_MAX_CHANCE}%, so that day is its release`;
  }
  return `not new: first seen ${r.first_seen}, ${start}, but its ${odds} could all have missed the days before by chance (${formatChance(chance)})`;
}

const formatChance = (p: number) =>
  p >= 0.1 ? `${Math.round(p * 100)}%` : `${(p * 100).toFixed(1)}%`;

/**
 * Why a feature has its kind and tags, one sentence each: "advanced: used by 12.0% of active
 * users (below 20%)", "innovation: first seen 2026-09-14, 43 days after the data starts on ...".
 */
export function featureReasons(r: FeatureRow, ctx: ReasonContext): string[] {
  const reasons = [kindReason(r, ctx)];
  const named = (tag: string, looks: string) =>
    reasons.push(r.inferred ? `${tag}: the name looks like ${looks}` : `${tag}: configured`);
  if (r.is_key) reasons.push('key_action: configured');
  if (r.is_login) named('login', 'a login, an app open or a page view (presence, not use)');
  if (r.is_collaboration) named('collaboration', 'an invite, a share or a mention');
  if (r.is_feedback) named('feedback', 'feedback, a bug report or a feature request');
  if (r.is_optimization) {
    named('optimization', 'a workflow, template, automation, rule, schedule, integration or API');
  }
  const innovation = innovationReason(r);
  if (innovation) reasons.push(innovation);
  if (!ctx.anyKeyAction && !r.is_login && isView(r.feature)) {
    reasons.push(
      'not a key action: the name looks like a view (no feature is tagged key_action, so key actions are the actions that are not views)',
    );
  }
  return reasons;
}
