import type { SqlParams } from '../dialect/sql-value.js';
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
  const d = input.dialect;
  // Each feature's event names come from a grouped join, not a correlated subquery, which
  // ClickHouse does not run.
  const select = `fi.feature AS feature, fi.inferred AS inferred, fi.is_advanced AS is_advanced,
      fi.is_login AS is_login, fi.is_collaboration AS is_collaboration,
      fi.is_feedback AS is_feedback, fi.is_key AS is_key, ${d.dateText('fi.released')} AS released,
      fi.users AS users, ${d.listOrEmpty('fe.events')} AS events`;
  const from = `feature_info fi LEFT JOIN (
      SELECT feature, ${d.sortedDistinctList('event')} AS events FROM event_feature GROUP BY feature
    ) fe ON fe.feature = fi.feature`;
  // The listing also says what the inference compared each feature with: its first day and
  // users a day since, the data's first day, the median feature's users.
  const why = `fi.is_optimization AS is_optimization, fi.release_inferred AS release_inferred,
      ${d.dateText('fi.first_seen')} AS first_seen, fi.user_days AS user_days,
      fi.days_seen AS days_seen, ${d.dateText('fi.data_start')} AS data_start,
      fi.median_users AS median_users`;
  const sql = adoption
    ? `WITH ${ctes}
  SELECT ${select},
    ${d.countIf('s.is_power_user')} AS power_users,
    ${d.countIf('NOT s.is_power_user')} AS everyone_else
  FROM ${from} LEFT JOIN user_feature uf ON uf.feature = fi.feature
  LEFT JOIN scored s ON s.user_id = uf.user_id
  GROUP BY ALL ORDER BY users DESC, feature`
    : `WITH ${ctes}
  SELECT ${select}, ${why} FROM ${from} ORDER BY users DESC, feature`;
  return { sql, params };
}

/** One user's features in the window with how often they used each, most used first. */
export function compileUserFeatures(input: SignalsInput): { sql: string; params: SqlParams } {
  const { ctes, params } = compileSignals(input);
  const d = input.dialect;
  return {
    sql: `WITH ${ctes}
  SELECT uf.feature AS feature, uf.n AS uses, fi.is_advanced AS is_advanced, fi.is_login AS is_login
  FROM user_feature uf JOIN feature_info fi ON fi.feature = uf.feature
  WHERE uf.user_id = ${d.param('user', 'String')} ORDER BY uses DESC, feature`,
    params,
  };
}

/**
 * Per account, how many of its active users used each feature in the window (login-like ones left
 * out), and the size of the catalogue: an account's coverage and its usage profile. Reads the
 * scoring's `scored` table for each user's account.
 */
export function compileAccountFeatures(input: SignalsInput): { sql: string; params: SqlParams } {
  const { ctes, params } = compileSignals(input);
  return {
    sql: `WITH ${ctes}
  SELECT s.account_id AS account_id, uf.feature AS feature, count(*) AS users,
    (SELECT count(*) FROM feature_info WHERE NOT is_login) AS catalogue_size
  FROM user_feature uf JOIN scored s ON s.user_id = uf.user_id
  JOIN feature_info fi ON fi.feature = uf.feature
  WHERE s.account_id <> '' AND NOT fi.is_login
  GROUP BY s.account_id, uf.feature
  ORDER BY account_id, feature`,
    params,
  };
}
