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
  /** The criteria that decided it (the passing path of the rule); top_percent among power users. */
  criteria: Omit<CriterionResult, 'decisive'>[];
}

/**
 * The segments of each power user of the last scoring (the table `scored`), by user id. Decided
 * in SQL (compile-segments.ts); this only reads the verdicts and the values that explain them.
 */
export async function segmentMemberships(
  engine: Engine,
  segments: readonly Segment[],
  windowDays: number,
  table = 'scored',
): Promise<Map<string, SegmentMembership[]>> {
  const compiled = compileSegments(segments, windowDays, engine.dialect, table);
  const out = new Map<string, SegmentMembership[]>();
  if (!compiled) return out;
  for await (const rows of engine.stream<Row>(compiled.sql, compiled.params)) {
    for (const row of rows) {
      const memberships = segments.flatMap((s) => {
        if (row[`seg_${s.name}`] !== true) return [];
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
            top_percent:
              row[`top_${c.signal}`] === undefined ? 100 : topPct(num(row, `top_${c.signal}`)),
            passed: true,
          }));
        return [{ segment: s.name, label: s.label, criteria }];
      });
      out.set(String(row.user_id), memberships);
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
