import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';
import {
  type Criterion,
  criteriaOf,
  type Definition,
  type RuleDefinition,
  type RuleNode,
  type ScoreDefinition,
  shareToMin,
  signalsOf,
} from '../model/definition.js';
import { SIGNAL_NAMES, SIGNALS, type SignalName } from '../model/signals.js';
import { compileSignals, type SignalsInput } from './compile-signals.js';

/**
 * Scores every active user against a definition, in SQL. Each row carries the signals, and for
 * each signal the definition reads `top_<signal>`: the share of active users whose value is at
 * least as good (0.08 = top 8%; ties share a rank). A rule definition adds `pass_<id>` and
 * `margin_<id>` per criterion; a composite definition adds `rank_<signal>` per weighted signal and
 * `weighted_rank`. `is_power_user` is the verdict, and `score` (0..100, in tenths) a ranking that
 * agrees with it: power users score 50 to 100, everyone else 0 to 49.9 (docs/definition.md).
 */

/**
 * Signal names and criterion ids become SQL text (column names), and thresholds become
 * constants, so they are checked here whatever produced the definition: a schema-validated
 * config, the API, or a test.
 */
function assertCompilable(definition: Definition): void {
  const known = SIGNAL_NAMES as readonly string[];
  for (const s of signalsOf(definition)) {
    if (!known.includes(s)) throw new Error(`unknown signal "${s}"`);
  }
  const numbers: number[] = [definition.window_days];
  if (definition.kind === 'rule') {
    for (const c of criteriaOf(definition.rule)) {
      if (!/^[a-z][a-z0-9_]*$/.test(c.id))
        throw new Error(`criterion id "${c.id}" is not a plain name`);
      numbers.push(c.value);
    }
  } else {
    numbers.push(...definition.weights.map((w) => w.weight));
    numbers.push(definition.cutoff.min_score ?? 0, definition.cutoff.top_percent ?? 0);
  }
  for (const n of numbers) {
    if (!Number.isFinite(n)) throw new Error(`threshold ${n} is not a number`);
  }
}

/** The absolute threshold a criterion compares with, after resolving shares of the window. */
export function criterionThreshold(c: Criterion, windowDays: number): number {
  return c.op === 'min_share' ? shareToMin(c.signal, c.value, windowDays) : c.value;
}

const lit = (n: number): string => (Number.isInteger(n) ? String(n) : n.toPrecision(12));

/**
 * A value on the score's log scale, sign(x) * ln(1 + |x|): a count and its bar compare by their
 * ratio (21 key actions against a bar of 10 is as far past it as 210 against 100), zero stays
 * finite, and a negative trend keeps its sign.
 */
function logScale(x: string, signed: boolean): string {
  return signed ? `(sign(${x}) * ln(1 + abs(${x})))` : `ln(1 + ${x})`;
}

function logScaleLit(n: number): string {
  return n < 0 ? `(-ln(${lit(1 - n)}))` : `ln(${lit(1 + n)})`;
}

/** The column holding the bar (the value at the cut) of a top_percent criterion. */
export const barColumn = (id: string): string => `bar_${id}`;

/**
 * A criterion's SQL: `pass`, whether the user meets it, and `margin`, how far past the bar
 * (positive) or short of it (negative) the value is on the log scale, with no cap either way.
 * For `top_percent` the bar is the value at the cut (the weakest value that passes, in the
 * column barColumn(id) beside the row). A value a signal does not have (the trend of a user with
 * no earlier window) fails the criterion and counts as neither past nor short of it.
 */
export function criterionSql(c: Criterion, windowDays: number): { pass: string; margin: string } {
  const s = c.signal;
  const info = SIGNALS[s];
  const signed = info.nullable === true;
  const value = logScale(s, signed);
  const orFail = (cond: string) => (info.nullable ? `coalesce(${cond}, false)` : cond);
  const orZero = (m: string) => (info.nullable ? `coalesce(${m}, 0.0)` : m);
  if (c.op === 'top_percent') {
    const bar = logScale(barColumn(c.id), signed);
    return {
      pass: orFail(`top_${s} <= ${lit(c.value / 100)}`),
      margin: orZero(info.lowerIsBetter ? `${bar} - ${value}` : `${value} - ${bar}`),
    };
  }
  const t = criterionThreshold(c, windowDays);
  if (c.op === 'max') {
    return { pass: orFail(`${s} <= ${lit(t)}`), margin: orZero(`${logScaleLit(t)} - ${value}`) };
  }
  return { pass: orFail(`${s} >= ${lit(t)}`), margin: orZero(`${value} - ${logScaleLit(t)}`) };
}

/**
 * How close a user is to meeting a criterion, 0..1 (1 when it is met): the value over its
 * threshold, capped at 1; for top_percent, how far up the ranking the user is. The lifecycle's
 * "emerging" reads it (stored in snapshots as attainment), where a bounded measure fits better
 * than the score's uncapped margin. A value the signal does not have counts as 0.
 */
export function criterionAttainment(c: Criterion, windowDays: number): string {
  const s = c.signal;
  const orZero = (a: string) => (SIGNALS[s].nullable ? `coalesce(${a}, 0.0)` : a);
  if (c.op === 'top_percent') {
    const share = c.value / 100;
    return share >= 1 ? '1.0' : orZero(`least(1.0, (1 - top_${s}) / ${lit(1 - share)})`);
  }
  const t = criterionThreshold(c, windowDays);
  if (c.op === 'max') {
    return orZero(
      t > 0
        ? `CASE WHEN ${s} <= ${lit(t)} THEN 1.0 ELSE ${lit(t)} / ${s} END`
        : `CASE WHEN ${s} <= ${lit(t)} THEN 1.0 ELSE 0.0 END`,
    );
  }
  return t > 0 ? orZero(`least(1.0, greatest(0.0, ${s} / ${lit(t)}))`) : '1.0';
}

/**
 * How close a user of a scoring (the table `scored`, or the score's own rows) is to a definition, 0..1 (1 = a power user), as SQL.
 * A rule: each criterion's attainment (compile-score.ts: the value over its threshold, capped
 * at 1), and a group the mean of its best `k` children (all: the mean of every child; any: the
 * best one; at_least k: the mean of the best k), so it is 1 exactly when the rule passes. A
 * composite definition: 1 for a power user, else the weighted mean of its percentile ranks.
 */
export function attainmentSql(definition: Definition): string {
  if (definition.kind === 'score') {
    const total = definition.weights.reduce((a, w) => a + w.weight, 0);
    const weighted = definition.weights.map((w) => `${w.weight} * rank_${w.signal}`).join(' + ');
    return `CASE WHEN is_power_user THEN 1.0 ELSE (${weighted}) / ${total} END`;
  }
  const tree = (node: RuleNode): string => {
    if (node.type === 'criterion') return `(${criterionAttainment(node, definition.window_days)})`;
    return meanOfBest(node.children.map(tree), node.k);
  };
  return tree(definition.rule);
}

/**
 * The mean of the `k` largest of some SQL values, as SQL: value i is among them when fewer than
 * k others come before it (larger, or equal and earlier), so ties count once.
 */
function meanOfBest(values: readonly string[], k: number): string {
  const n = values.length;
  const best = Math.max(1, Math.min(k, n));
  if (n === 1) return values[0] as string;
  if (best === n) return `((${values.join(' + ')}) / ${n}.0)`;
  if (best === 1) return `greatest(${values.join(', ')})`;
  const kept = values.map((v, i) => {
    const before = values
      .map((o, j) => (j === i ? '' : `CASE WHEN ${o} ${j < i ? '>=' : '>'} ${v} THEN 1 ELSE 0 END`))
      .filter(Boolean);
    return `CASE WHEN ${before.join(' + ')} < ${best} THEN ${v} ELSE 0.0 END`;
  });
  return `((${kept.join(' + ')}) / ${best}.0)`;
}

/**
 * The bar of a top_percent criterion, beside every row (a window over all of them, so the rows
 * are read once: ClickHouse would expand a CTE read twice): the weakest value among the users
 * who pass it (the smallest, or the largest for a lower-is-better signal); when nobody passes
 * (a tie straddles the cut), the best value there is.
 */
function barSql(c: Criterion): string {
  const s = c.signal;
  const [weakest, best] = SIGNALS[s].lowerIsBetter ? ['max', 'min'] : ['min', 'max'];
  return `coalesce(${weakest}(CASE WHEN top_${s} <= ${lit(c.value / 100)} THEN ${s} END) OVER (), ${best}(${s}) OVER ()) AS ${barColumn(c.id)}`;
}

/** The score's half of 50 points: a margin (any real number) squashed into (0, 50). */
function halfScore(margin: string): string {
  return `(50.0 / (1 + exp(-greatest(-30.0, least(30.0, ${margin})))))`;
}

/** A rule tree over its criteria's pass columns (`<prefix><criterion id>`). */
export function ruleSql(node: RuleNode, prefix = 'pass_'): string {
  if (node.type === 'criterion') return `${prefix}${node.id}`;
  const parts = node.children.map((c) => ruleSql(c, prefix));
  if (node.type === 'all') return `(${parts.join(' AND ')})`;
  if (node.type === 'any') return `(${parts.join(' OR ')})`;
  return `((${parts.map((p) => `CAST(${p} AS INTEGER)`).join(' + ')}) >= ${node.k})`;
}

/** A user's rank on a signal as "top X" (cume_dist, best first); no value ranks last. */
export function rankSql(s: SignalName): string {
  const dir = SIGNALS[s].lowerIsBetter ? 'ASC' : 'DESC';
  const nulls = SIGNALS[s].nullable ? ' NULLS LAST' : '';
  return `cume_dist() OVER (ORDER BY ${s} ${dir}${nulls}) AS top_${s}`;
}

/**
 * The window functions read a narrow projection of `signals` (user_id and the ranked signals) and
 * their results join back by user: sorting the wide rows (every signal, the advanced-feature
 * list) once per rank cost more than the join (the scoring statement took 2.8 s instead of 2.2 s
 * at 100M events). Ties share a rank either way, so the ranks are the same.
 */
function narrow(signals: readonly SignalName[]): string {
  return `(SELECT user_id, ${signals.join(', ')} FROM signals)`;
}

export function compileScore(
  definition: Definition,
  signals: Omit<SignalsInput, 'windowDays'>,
): { sql: string; params: SqlParams } {
  assertCompilable(definition);
  const { ctes, params } = compileSignals({ ...signals, windowDays: definition.window_days });
  const d: Dialect = signals.dialect;
  const ranked = signalsOf(definition);
  const tops = ranked.map(rankSql);
  // Named: ClickHouse would call a qualified column by its qualified name.
  const topColumns = ranked.map((s) => `r.top_${s} AS top_${s}`);
  const sql =
    definition.kind === 'score'
      ? compositeSql(definition, d, ctes, ranked, tops, topColumns)
      : ruleScoreSql(definition, d, ctes, ranked, tops, topColumns);
  return { sql, params };
}

/**
 * A rule's verdict and score. Power users score 50 + the mean of the criteria's margins (how far
 * past each bar, on the log scale, with no cap) squashed into [0, 50]: the farther past the bars,
 * the higher. Everyone else scores 50 × their attainment (how much of the definition they meet,
 * each criterion capped at its bar), below 50: how far along the way to power they are, so a
 * user far past one bar and nowhere on the others is not ranked above one halfway on all of
 * them, and the lifecycle's "emerging" (which reads attainment) climbs with the score.
 */
function ruleScoreSql(
  definition: RuleDefinition,
  d: Dialect,
  ctes: string,
  ranked: readonly SignalName[],
  tops: readonly string[],
  topColumns: readonly string[],
): string {
  const criteria = criteriaOf(definition.rule);
  const judged = criteria.map((c) => {
    const { pass, margin } = criterionSql(c, definition.window_days);
    return `${d.bool(pass)} AS pass_${c.id}, ${margin} AS margin_${c.id}`;
  });
  const bars = criteria.filter((c) => c.op === 'top_percent').map(barSql);
  const mean = `(${criteria.map((c) => `margin_${c.id}`).join(' + ')}) / ${criteria.length}`;
  const half = halfScore('score_margin');
  return `WITH ${ctes},
  ranks AS (SELECT user_id, ${tops.join(', ')} FROM ${narrow(ranked)}),
  ranked AS (SELECT s.*, ${topColumns.join(', ')} FROM signals s JOIN ranks r USING (user_id)),${
    bars.length > 0 ? `\n  barred AS (SELECT *, ${bars.join(', ')} FROM ranked),` : ''
  }
  judged AS (SELECT *, ${judged.join(', ')} FROM ${bars.length > 0 ? 'barred' : 'ranked'}),
  verdict AS (
    SELECT *, ${d.bool(ruleSql(definition.rule))} AS is_power_user, ${mean} AS score_margin
    FROM judged)
  SELECT *, CASE WHEN is_power_user THEN ${d.round(`50 + ${half}`, 1)}
    ELSE least(49.9, ${d.round(`50 * ${attainmentSql(definition)}`, 1)}) END AS score
  FROM verdict`;
}

/**
 * A composite's verdict and score. The weighted rank (0..100, in tenths) is the weighted mean of
 * the percentile ranks; the cut-off applies to it. The score places the weighted rank on the same
 * halves as a rule's: power users from 50 (at the cut) to 100 (a weighted rank of 100), everyone
 * else from 0 to 49.9 in proportion to the cut, so the order is the weighted rank's.
 */
function compositeSql(
  definition: ScoreDefinition,
  d: Dialect,
  ctes: string,
  ranked: readonly SignalName[],
  tops: readonly string[],
  topColumns: readonly string[],
): string {
  const total = definition.weights.reduce((a, w) => a + w.weight, 0);
  const ranks = definition.weights.map(({ signal }) => {
    const dir = SIGNALS[signal].lowerIsBetter ? 'DESC' : 'ASC';
    // No value (a trend without a baseline) ranks lowest.
    const nulls = SIGNALS[signal].nullable ? ' NULLS FIRST' : '';
    return `percent_rank() OVER (ORDER BY ${signal} ${dir}${nulls}) AS rank_${signal}`;
  });
  const rankColumns = definition.weights.map((w) => `r.rank_${w.signal} AS rank_${w.signal}`);
  const weighted = definition.weights.map((w) => `${lit(w.weight)} * rank_${w.signal}`);
  const cut = definition.cutoff;
  const verdict =
    cut.min_score !== undefined
      ? `weighted_rank >= ${lit(cut.min_score)}`
      : `cume_dist() OVER (ORDER BY weighted_rank DESC) <= ${lit((cut.top_percent ?? 100) / 100)}`;
  // The weighted rank at the cut: the cut-off itself, or the lowest among the top X%.
  const bar =
    cut.min_score !== undefined
      ? `${lit(cut.min_score)} AS bar`
      : 'coalesce(min(CASE WHEN is_power_user THEN weighted_rank END), 100.0) AS bar';
  return `WITH ${ctes},
  ranks AS (SELECT user_id, ${[...tops, ...ranks].join(', ')} FROM ${narrow(ranked)}),
  composite AS (
    SELECT *, ${d.round(`100 * (${weighted.join(' + ')}) / ${lit(total)}`, 1)} AS weighted_rank
    FROM ranks),
  verdict AS (SELECT *, ${d.bool(verdict)} AS is_power_user FROM composite),
  cut AS (SELECT ${bar} FROM verdict),
  scored_rank AS (
    SELECT v.*, CASE
      WHEN v.is_power_user AND c.bar >= 100 THEN 100.0
      WHEN v.is_power_user THEN ${d.round('50 + 50 * (v.weighted_rank - c.bar) / (100 - c.bar)', 1)}
      WHEN c.bar > 0 THEN least(49.9, ${d.round('50 * v.weighted_rank / c.bar', 1)})
      ELSE 0.0 END AS score
    FROM verdict v CROSS JOIN cut c)
  SELECT s.*, ${[...topColumns, ...rankColumns].join(', ')}, r.weighted_rank AS weighted_rank,
    r.score AS score, r.is_power_user AS is_power_user
  FROM signals s JOIN scored_rank r USING (user_id)`;
}
