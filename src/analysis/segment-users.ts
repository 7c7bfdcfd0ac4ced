import type { Engine, Row } from '../engines/engine.js';
import type { Segment } from '../model/segments.js';
import { segmentCriteria } from '../model/segments.js';
import { criterionThreshold } from '../sql/compile-score.js';
import { compileSegments, passColumn } from '../sql/compile-segments.js';
import {
  type CriterionResult,
  decidingCriteria,
  num,
  signalValue,
  topPct,
} from './criterion-results.js';
import { type PhraseContext, signalPhrase } from './explain-sentence.js';

/** A segment a power user is in, with the criteria that put them there. */
export interface SegmentMembership {
  segment: string;
  label: string;
  /**
   * The criteria that decided it (the passing path of the rule, or for a segment missed what it
   * lacks); top_percent among power users.
   */
  criteria: Omit<CriterionResult, 'decisive'>[];
}

/** The segments of the power users of a scoring, and why those in none are in none. */
export interface SegmentVerdicts {
  /** Every power user's segments (an empty list for those in none), by user id. */
  memberships: Map<string, SegmentMembership[]>;
  /** For a power user in no segment: each segment with the criteria that kept them out. */
  misses: Map<string, SegmentMembership[]>;
}

/** A segment's deciding criteria for one power user: its passing path, or what it lacks. */
function decidingOf(s: Segment, row: Row, windowDays: number): SegmentMembership {
  const passed = (id: string) => row[passColumn(s.name, id)] === true;
  const deciding = new Set(decidingCriteria(s.rule, (c) => passed(c.id)));
  const criteria = segmentCriteria(s)
    .filter((c) => deciding.has(c.id))
    .map((c) => ({
      id: c.id,
      label: c.label,
      signal: c.signal,
      op: c.op,
      threshold: c.op === 'top_percent' ? c.value : criterionThreshold(c, windowDays),
      value: signalValue(row, c.signal),
      top_percent: row[`top_${c.signal}`] === undefined ? 100 : topPct(num(row, `top_${c.signal}`)),
      passed: passed(c.id),
    }));
  return { segment: s.name, label: s.label, criteria };
}

/**
 * The segments of each power user of the last scoring (the table `scored`), by user id, and for
 * those in none what each segment lacks. Decided in SQL (compile-segments.ts); this only reads the
 * verdicts and the values that explain them.
 */
export async function segmentMemberships(
  engine: Engine,
  segments: readonly Segment[],
  windowDays: number,
  table = 'scored',
): Promise<SegmentVerdicts> {
  const compiled = compileSegments(segments, windowDays, engine.dialect, table);
  const out: SegmentVerdicts = { memberships: new Map(), misses: new Map() };
  if (!compiled) return out;
  for await (const rows of engine.stream<Row>(compiled.sql, compiled.params)) {
    for (const row of rows) {
      const user = String(row.user_id);
      const memberships = segments
        .filter((s) => row[`seg_${s.name}`] === true)
        .map((s) => decidingOf(s, row, windowDays));
      out.memberships.set(user, memberships);
      if (memberships.length === 0) {
        out.misses.set(
          user,
          segments.map((s) => decidingOf(s, row, windowDays)),
        );
      }
    }
  }
  return out;
}

/** "Advocate: invited or shared 25 times (top 4% of power users)". */
export function segmentReason(m: SegmentMembership, ctx: PhraseContext): string {
  // A signal named twice (at least 1, and among the top 25%) is said once, with its rank.
  const bySignal = new Map<string, (typeof m.criteria)[number]>();
  for (const c of m.criteria) {
    const seen = bySignal.get(c.signal);
    if (!seen || c.op === 'top_percent') bySignal.set(c.signal, c);
  }
  const parts = [...bySignal.values()].map((c) => {
    const phrase = signalPhrase(c.signal, c.value, ctx);
    return c.op === 'top_percent' ? `${phrase} (top ${c.top_percent}% of power users)` : phrase;
  });
  return `${m.label}: ${parts.join('; ')}`;
}

/**
 * Why a power user is in no segment: "in no segment: Innovator: adopted 0 new features early,
 * needs 1; Advocate: invited or shared 1 time, needs 4; ...".
 */
export function noSegmentReason(misses: readonly SegmentMembership[], ctx: PhraseContext): string {
  const need = (c: SegmentMembership['criteria'][number]) =>
    c.op === 'top_percent'
      ? `needs the top ${c.threshold}% of power users (top ${c.top_percent}%)`
      : c.op === 'max'
        ? `needs at most ${c.threshold}`
        : `needs ${c.threshold}`;
  const parts = misses.map((m) => {
    const lacking = m.criteria.filter((c) => !c.passed);
    const shown = lacking.length > 0 ? lacking : m.criteria;
    return `${m.label}: ${shown.map((c) => `${signalPhrase(c.signal, c.value, ctx)}, ${need(c)}`).join('; ')}`;
  });
  return `in no segment: ${parts.join('; ')}`;
}
