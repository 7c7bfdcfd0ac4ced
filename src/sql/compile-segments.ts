import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';
import type { Segment } from '../model/segments.js';
import { segmentCriteria } from '../model/segments.js';
import type { SignalName } from '../model/signals.js';
import { criterionSql, rankSql, ruleSql } from './compile-score.js';

export interface CompiledSegments {
  sql: string;
  params: SqlParams;
  /** The signals read, in the result under their own names. */
  signals: SignalName[];
  /** The signals ranked (top_percent), in the result as `top_<signal>` among power users. */
  ranked: SignalName[];
}

/** The pass column of a segment's criterion. */
export const passColumn = (segment: string, criterion: string) => `pass_${segment}__${criterion}`;

/**
 * The segments of every power user of a scoring (the table `scored`): one truth value per
 * segment (`seg_<name>`), one per criterion, the signals read and, for `top_percent`, the rank
 * among the power users (cume_dist, so ties share the lower rank as in a definition). The same
 * criterion and rule SQL as a definition's.
 */
export function compileSegments(
  segments: readonly Segment[],
  windowDays: number,
  d: Dialect,
  table = 'scored',
): CompiledSegments | null {
  if (segments.length === 0) return null;
  const criteria = segments.flatMap((s) => segmentCriteria(s).map((c) => ({ s, c })));
  const signals = [...new Set(criteria.map(({ c }) => c.signal))];
  const ranked = [
    ...new Set(criteria.filter(({ c }) => c.op === 'top_percent').map(({ c }) => c.signal)),
  ];
  const passes = criteria.map(
    ({ s, c }) => `${d.bool(criterionSql(c, windowDays).pass)} AS ${passColumn(s.name, c.id)}`,
  );
  const verdicts = segments.map(
    (s) => `${d.bool(ruleSql(s.rule, `pass_${s.name}__`))} AS seg_${s.name}`,
  );
  const ranks = ranked.map(rankSql);
  const sql = `WITH pu AS (SELECT user_id, ${signals.join(', ')} FROM ${table} WHERE is_power_user),
  ranked AS (SELECT *${ranks.length > 0 ? `, ${ranks.join(', ')}` : ''} FROM pu),
  judged AS (SELECT *, ${passes.join(', ')} FROM ranked)
  SELECT user_id, ${[...signals, ...ranked.map((s) => `top_${s}`), ...criteria.map(({ s, c }) => passColumn(s.name, c.id)), ...verdicts].join(', ')}
  FROM judged ORDER BY user_id`;
  return { sql, params: {}, signals, ranked };
}
