import { type Definition, SIGNAL_NAMES } from '../analysis/default-definition.js';
import type { SqlParams } from '../engines/engine.js';
import { compileSignals, type SignalsInput } from './compile-signals.js';

/**
 * Scores every active user against a definition, in SQL. For each signal a criterion uses, the
 * row carries `top_<signal>`: the share of active users whose value is at least this user's
 * (0.08 = top 8%). For each criterion, `pass_<id>` and `att_<id>` (attainment 0..1, how close the
 * user is to passing). `score` is the mean attainment times 100; `is_power_user` applies the
 * required / at-least-k rule.
 */
/**
 * Signal names, criterion ids and thresholds become SQL text (column names, constants), so they
 * are checked here against the known signals and plain shapes, whatever produced the definition.
 */
function assertCompilable(definition: Definition): void {
  for (const c of definition.criteria) {
    if (!/^[a-z][a-z0-9_]*$/.test(c.id))
      throw new Error(`criterion id "${c.id}" is not a plain name`);
    for (const a of c.any) {
      if (!(SIGNAL_NAMES as readonly string[]).includes(a.signal)) {
        throw new Error(`criterion ${c.id}: unknown signal "${a.signal}"`);
      }
      for (const v of [a.min, a.top_percent]) {
        if (v !== undefined && !Number.isFinite(v)) {
          throw new Error(`criterion ${c.id}: threshold ${v} is not a number`);
        }
      }
    }
  }
  if (!Number.isInteger(definition.min_optional)) {
    throw new Error(`min_optional ${definition.min_optional} is not a whole number`);
  }
}

export function compileScore(
  definition: Definition,
  signals: SignalsInput,
): { sql: string; params: SqlParams } {
  assertCompilable(definition);
  const { ctes, params } = compileSignals(signals);
  const used = [...new Set(definition.criteria.flatMap((c) => c.any.map((a) => a.signal)))];
  const tops = used.map((s) => `cume_dist() OVER (ORDER BY ${s} DESC) AS top_${s}`);
  const passes: string[] = [];
  const atts: string[] = [];
  for (const c of definition.criteria) {
    const conds = c.any.map((a) => {
      if (a.top_percent !== undefined) {
        const share = a.top_percent / 100;
        return {
          pass: `top_${a.signal} <= ${share}`,
          // Attainment of a relative criterion: how far up the ranking the user is.
          att: `least(1.0, (1 - top_${a.signal}) / ${1 - share})`,
        };
      }
      const min = a.min ?? 0;
      return {
        pass: `${a.signal} >= ${min}`,
        att: min > 0 ? `least(1.0, ${a.signal} / ${min})` : '1.0',
      };
    });
    passes.push(`(${conds.map((x) => x.pass).join(' OR ')}) AS pass_${c.id}`);
    atts.push(`greatest(${conds.map((x) => x.att).join(', ')}) AS att_${c.id}`);
  }
  const required = definition.criteria.filter((c) => c.required).map((c) => `pass_${c.id}`);
  const optional = definition.criteria.filter((c) => !c.required).map((c) => `pass_${c.id}::INT`);
  const rule = [
    ...(required.length ? required : ['true']),
    optional.length ? `(${optional.join(' + ')}) >= ${definition.min_optional}` : 'true',
  ].join(' AND ');
  const attSum = definition.criteria.map((c) => `att_${c.id}`).join(' + ');
  const sql = `WITH ${ctes},
  ranked AS (SELECT *, ${tops.join(', ')} FROM signals),
  judged AS (SELECT *, ${passes.join(', ')}, ${atts.join(', ')} FROM ranked)
  SELECT *, ${rule} AS is_power_user,
    CAST(round(100 * (${attSum}) / ${definition.criteria.length}) AS INTEGER) AS score
  FROM judged`;
  return { sql, params };
}
