import type { SqlParams } from '../engines/engine.js';
import { compileSignals, type SignalsInput } from './compile-signals.js';

/**
 * The effective feature catalogue over the window: every feature (configured, or inferred from
 * an event name), how many active users used it, its kind and tags. With `adoption`, also how many
 * power users and how many others used it, read from the temp table `scored`.
 */
export function compileFeatures(
  input: SignalsInput,
  adoption: boolean,
): { sql: string; params: SqlParams } {
  const { ctes, params } = compileSignals(input);
  const select = `fi.feature, fi.inferred, fi.is_advanced, fi.is_login, fi.is_collaboration,
      fi.is_feedback, fi.is_key, strftime(fi.released, '%Y-%m-%d') AS released, fi.users,
      (SELECT list(DISTINCT event ORDER BY event) FROM event_feature ef WHERE ef.feature = fi.feature)
        AS events`;
  const sql = adoption
    ? `WITH ${ctes}
  SELECT ${select},
    count(s.user_id) FILTER (WHERE s.is_power_user) AS power_users,
    count(s.user_id) FILTER (WHERE NOT s.is_power_user) AS everyone_else
  FROM feature_info fi LEFT JOIN user_feature uf USING (feature)
  LEFT JOIN scored s ON s.user_id = uf.user_id
  GROUP BY ALL ORDER BY fi.users DESC, fi.feature`
    : `WITH ${ctes}
  SELECT ${select} FROM feature_info fi ORDER BY fi.users DESC, fi.feature`;
  return { sql, params };
}

/** One user's features in the window with how often they used each, most used first. */
export function compileUserFeatures(input: SignalsInput): { sql: string; params: SqlParams } {
  const { ctes, params } = compileSignals(input);
  return {
    sql: `WITH ${ctes}
  SELECT uf.feature, uf.n AS uses, fi.is_advanced, fi.is_login
  FROM user_feature uf JOIN feature_info fi USING (feature)
  WHERE uf.user_id = $user ORDER BY uf.n DESC, uf.feature`,
    params,
  };
}
