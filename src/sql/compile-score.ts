import type { Definition } from '../analysis/default-definition.js';
import type { SqlParams } from '../engines/engine.js';
import { compileSignals, type SignalsInput } from './compile-signals.js';

/**
 * Scores every active user against a definition, in SQL. For each signal a criterion uses, the
 * row carries `top_<signal>`: the share of active users whose value is at least this user's
 * (0.08 = top 8%). For each criterion, `pass_<id>` and `att_<id>` (attainment 0..1, how close the
 * user is to passing). `score` is the mean attainment times 100; `is_power_user` applies the
 * required / at-least-k rule.
 */
export function compileScore(
  definition: Definition,
  signals: SignalsInput,
): { sql: string; params: SqlParams } {
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
