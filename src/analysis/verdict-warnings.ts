import type { Engine } from '../engines/engine.js';
import { type Criterion, criteriaOf, type Definition } from '../model/definition.js';
import { type DefinitionWarning, singleMetricWarning } from '../model/definition-problems.js';
import type { SignalName } from '../model/signals.js';
import { criterionThreshold } from '../sql/compile-score.js';
import { dataRange } from './resolve-as-of.js';

/**
 * What a verdict cannot be trusted for, said beside it (analyze, users, explain, the API): a
 * definition that can be met on frequency alone, and criteria that the data's history cannot
 * support (ten active weeks of thirteen with thirty days of data; a trend with no window before).
 */

/** The data a verdict is computed from, up to its as-of date. */
export interface DataHistory {
  /** The project's first day with data (null when there is none up to the as-of date). */
  first_day: string | null;
  /** Days from the first day with data to the as-of date, both included (0: none). */
  days: number;
}

const DAY_MS = 86_400_000;
const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;

/** The history the project's data give a verdict as of `asOf`. */
export async function dataHistory(
  engine: Engine,
  projectId: string,
  asOf: string,
): Promise<DataHistory> {
  const range = await dataRange(engine, projectId);
  if (!range || range.first > asOf) return { first_day: null, days: 0 };
  return { first_day: range.first, days: dayNumber(asOf) - dayNumber(range.first) + 1 };
}

/** Warnings about the definition itself, whatever the data: the single-metric trap. */
export function definitionWarnings(d: Definition): DefinitionWarning[] {
  const w = singleMetricWarning(
    d.kind === 'rule' ? { rule: d.rule } : { weights: d.weights.map((x) => x.signal) },
  );
  return w ? [w] : [];
}

/** What a signal needs of the history, and what a history of `days` allows it. */
interface Need {
  /** Days of data the criterion needs. */
  needs: number;
  /** Why the history falls short, or null when it does not. */
  short: string | null;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A bound no value can pass with `days` of history: the largest value there can be, or null. */
function boundNeed(c: Criterion, t: number, windowDays: number, days: number): Need | null {
  if (c.op !== 'min' && c.op !== 'min_share') return null;
  switch (c.signal) {
    case 'days_active': {
      const max = Math.min(windowDays, days);
      return { needs: t, short: t > max ? `at most ${plural(max, 'day')} can be active` : null };
    }
    case 'days_active_7': {
      const max = Math.min(7, days);
      return { needs: t, short: t > max ? `at most ${plural(max, 'day')} can be active` : null };
    }
    case 'active_weeks': {
      const max = Math.min(13, Math.ceil(days / 7));
      const short = t > max ? `at most ${plural(max, 'week')} of 13 can be active` : null;
      return { needs: 7 * (Math.ceil(t) - 1) + 1, short };
    }
    case 'tenure_days': {
      const max = Math.max(0, days - 1);
      return { needs: t + 1, short: t > max ? `nobody is seen for more than ${max} days` : null };
    }
    default:
      return null;
  }
}

/** The trend compares the window with the one before: it needs twice the window of data. */
function trendNeed(windowDays: number, days: number): Need {
  const needs = 2 * windowDays;
  if (days >= needs) return { needs, short: null };
  const before = Math.max(0, days - windowDays);
  return {
    needs,
    short:
      before === 0
        ? 'nobody has a window before this one: every trend is n/a'
        : `the window before holds ${before} of its ${windowDays} days, so trends read high`,
  };
}

function describeCriterion(c: Criterion, t: number): string {
  const bar =
    c.op === 'top_percent' ? `in the top ${c.value}%` : c.op === 'max' ? `<= ${t}` : `>= ${t}`;
  return `${c.id} (${c.signal} ${bar})`;
}

/**
 * The criteria (a composite: the weighted signals) whose bar the history cannot support, each
 * with the days it needs and the days there are. A rule's criterion is reported when nobody can
 * meet it (or, on the trend, when the window before is not all in the data); a composite's
 * signal when it reads further back than the data go.
 */
export function historyWarnings(
  d: Definition,
  history: DataHistory,
  asOf: string,
): DefinitionWarning[] {
  const { days, first_day } = history;
  if (days === 0 || first_day === null) return [];
  const w = d.window_days;
  const held = `the data hold ${plural(days, 'day')} (${first_day} to ${asOf})`;
  const warn = (criterion: string, subject: string, need: Need): DefinitionWarning => ({
    kind: 'history',
    criteria: [criterion],
    needs_days: need.needs,
    history_days: days,
    message: `${subject} needs ${plural(need.needs, 'day')} of data; ${held}: ${need.short}.`,
  });
  if (d.kind === 'rule') {
    return criteriaOf(d.rule).flatMap((c) => {
      const t = criterionThreshold(c, w);
      const need = c.signal === 'trend' ? trendNeed(w, days) : boundNeed(c, t, w, days);
      if (!need?.short) return [];
      const cannot =
        c.signal !== 'trend' ? ', so nobody can meet it' : days <= w ? `; ${c.id} cannot pass` : '';
      return [warn(c.id, describeCriterion(c, t), { ...need, short: need.short + cannot })];
    });
  }
  const reach: Partial<Record<SignalName, Need>> = {
    active_weeks: {
      needs: 91,
      short:
        days < 91 ? `at most ${plural(Math.ceil(days / 7), 'week')} of 13 can be active` : null,
    },
    trend: trendNeed(w, days),
    days_active: {
      needs: w,
      short: days < w ? `at most ${plural(days, 'day')} of ${w} can be active` : null,
    },
  };
  return d.weights.flatMap(({ signal }) => {
    const need = reach[signal];
    return need?.short ? [warn(signal, `the weighted signal ${signal}`, need)] : [];
  });
}

/** Every warning about a verdict as of `asOf`, and the history it is computed from. */
export async function verdictWarnings(
  engine: Engine,
  projectId: string,
  definition: Definition,
  asOf: string,
): Promise<{ history: DataHistory; warnings: DefinitionWarning[] }> {
  const history = await dataHistory(engine, projectId, asOf);
  return {
    history,
    warnings: [...definitionWarnings(definition), ...historyWarnings(definition, history, asOf)],
  };
}
