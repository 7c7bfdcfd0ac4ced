import type { Definition } from '../model/definition.js';
import type { SignalName } from '../model/signals.js';
import {
  type Contribution,
  type CriterionResult,
  num,
  type ScoredRow,
} from './criterion-results.js';
import { featureLabel } from './feature-labels.js';

/** A verdict in words: the phrase for each signal's value, and the sentence naming what decided. */

const round1 = (v: number): number => Math.round(v * 10) / 10;

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${round1(seconds / 3600)} h`;
}

export interface PhraseContext {
  windowDays: number;
  row: ScoredRow;
  labels: ReadonlyMap<string, string>;
}

/** The plain words for one signal's value (null: a signal the user has no value of). */
export function signalPhrase(signal: SignalName, value: number | null, ctx: PhraseContext): string {
  if (value === null) return noValuePhrase(signal, ctx);
  const v = value;
  const n = v.toLocaleString('en-US');
  const times = (word: string) => `${word} ${n} time${v === 1 ? '' : 's'}`;
  switch (signal) {
    case 'days_active':
      return `active ${n} of ${ctx.windowDays} days`;
    case 'days_active_7':
      return `active ${n} of the last 7 days`;
    case 'active_weeks':
      return `active in ${n} of the last 13 weeks`;
    case 'sessions':
      return `${n} session${v === 1 ? '' : 's'}`;
    case 'session_seconds_mean':
      return `sessions of ${duration(v)} on average`;
    case 'session_seconds_median':
      return `median session ${duration(v)}`;
    case 'active_seconds':
      return `${duration(v)} of active time`;
    case 'events':
      return `${n} events`;
    case 'actions':
      return `${n} actions`;
    case 'logins':
      return `${n} logins`;
    case 'features':
      return `${n} feature${v === 1 ? '' : 's'} used`;
    case 'core_features':
      return `${n} core feature${v === 1 ? '' : 's'}`;
    case 'advanced_features': {
      const names = ctx.row.advanced_list.slice(0, 3).map((f) => featureLabel(f, ctx.labels));
      const more = ctx.row.advanced_list.length > 3 ? ', ...' : '';
      if (v === 0) return 'no advanced feature';
      return `${n} advanced feature${v === 1 ? '' : 's'}: ${names.join(', ')}${more}`;
    }
    case 'catalogue_coverage':
      return `uses ${n}% of the features`;
    case 'key_actions':
      return `${n} key actions`;
    case 'collaboration':
      return times('invited or shared');
    case 'feedback':
      return `${n} feedback item${v === 1 ? '' : 's'}`;
    case 'optimization':
      return `${n} use${v === 1 ? '' : 's'} of optimization features`;
    case 'optimization_depth':
      return `uses ${n}% of the optimization features weekly`;
    case 'tenure_days':
      return `first seen ${n} day${v === 1 ? '' : 's'} ago`;
    case 'days_since_last_seen':
      return v === 0
        ? 'seen on the last day'
        : `last seen ${n} day${v === 1 ? '' : 's'} before the last day`;
    case 'early_adoptions':
      return `adopted ${n} new feature${v === 1 ? '' : 's'} early`;
    case 'trend':
      return `activity ${v >= 0 ? '+' : ''}${n}% on the previous ${ctx.windowDays} days`;
  }
}

/** A signal without a value: only the trend, when there is no earlier window to compare with. */
function noValuePhrase(signal: SignalName, ctx: PhraseContext): string {
  return signal === 'trend'
    ? `activity trend n/a (no activity in the ${ctx.windowDays} days before)`
    : `${signal} n/a`;
}

function need(c: CriterionResult): string {
  if (c.op === 'top_percent') return `needs the top ${c.threshold}%`;
  if (c.op === 'max') return `needs at most ${c.threshold}`;
  return `needs ${c.threshold}`;
}

/**
 * One sentence a product manager can read, naming the criteria that decided: for a power user
 * what they do ("active 24 of 30 days (top 8%); 3 advanced features: ..."), for anyone else what
 * they miss ("active 12 of 30 days, needs 20").
 */
export function explainSentence(
  definition: Definition,
  row: ScoredRow,
  ctx: PhraseContext,
  explained: { criteria: CriterionResult[]; contributions: Contribution[] },
): string {
  if (definition.kind === 'score') {
    const parts = [...explained.contributions]
      .sort((a, b) => a.top_percent - b.top_percent || b.weight - a.weight)
      .map((c) => `${signalPhrase(c.signal, c.value, ctx)} (top ${c.top_percent}%)`);
    const cut = definition.cutoff;
    const bar =
      cut.min_score !== undefined ? `cut-off ${cut.min_score}` : `cut-off: top ${cut.top_percent}%`;
    return `weighted rank ${num(row, 'weighted_rank')} (${bar}): ${parts.join('; ')}`;
  }
  const results = explained.criteria.filter((c) => c.decisive);
  const parts = results.map((c) => {
    const phrase = signalPhrase(c.signal, c.value, ctx);
    if (!c.passed) return `${phrase}, ${need(c)}`;
    return c.top_percent <= 50 ? `${phrase} (top ${c.top_percent}%)` : phrase;
  });
  return row.is_power_user ? parts.join('; ') : `not yet: ${parts.join('; ')}`;
}
