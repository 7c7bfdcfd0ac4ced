import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';

/** Reading the users of the last scoring (the temp table `scored`), whole rows. */

type Compiled = { sql: string; params: SqlParams };

/**
 * The one order of users everywhere (the users command, GET /api/v1/users, CSV, the dashboard):
 * best score first (the score agrees with the verdict, so power users come first), ties by id.
 */
export const USER_ORDER = 'score DESC, user_id ASC';

/** Users in USER_ORDER: all of them, power users only, one user, or the first `limit`. */
export function compileScoredUsers(
  d: Dialect,
  options: {
    powerOnly?: boolean | undefined;
    userId?: string | undefined;
    limit?: number | undefined;
  },
): Compiled {
  const user = d.param('user', 'String');
  return {
    sql: `SELECT * FROM scored
     WHERE (${d.param('power', 'Bool')} = false OR is_power_user)
       AND (${user} = '' OR user_id = ${user})
     ORDER BY ${USER_ORDER}
     ${options.limit !== undefined ? `LIMIT ${d.param('limit', 'Int64')}` : ''}`,
    params: {
      power: options.powerOnly ?? false,
      user: options.userId ?? '',
      limit: options.limit ?? 0,
    },
  };
}

/** The columns a page of users may be sorted by. */
export type UserSort =
  | 'score'
  | 'user_id'
  | 'account_id'
  | 'days_active'
  | 'key_actions'
  | 'events';

export interface ScoredPageQuery {
  /** Power users only (true), everyone else only (false), or everyone. */
  power?: boolean | undefined;
  /** Users whose id or account id contains this text (case-insensitive). */
  text?: string | undefined;
  sort: UserSort;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** The filter of a page of users, and its parameters. */
function pageFilter(d: Dialect, query: Pick<ScoredPageQuery, 'power' | 'text'>) {
  const power = d.param('power', 'String');
  const text = d.param('text', 'String');
  return {
    where: `(${power} = '' OR is_power_user = (${power} = 'true'))
    AND (${text} = '' OR position(${text} IN lower(user_id)) > 0
      OR position(${text} IN lower(account_id)) > 0)`,
    params: {
      power: query.power === undefined ? '' : String(query.power),
      text: (query.text ?? '').toLowerCase(),
    },
  };
}

/** How many users match the filter of a page (`n`). */
export function compileScoredCount(
  d: Dialect,
  query: Pick<ScoredPageQuery, 'power' | 'text'>,
): Compiled {
  const { where, params } = pageFilter(d, query);
  return { sql: `SELECT count(*) AS n FROM scored WHERE ${where}`, params };
}

/** One page of users, filtered, sorted and cut in SQL (`page`), and how many match (`count`, n). */
export function compileScoredPage(
  d: Dialect,
  query: ScoredPageQuery,
): { count: Compiled; page: Compiled } {
  const { where, params: filter } = pageFilter(d, query);
  const params = { ...filter, limit: query.limit, offset: query.offset };
  // The sort column comes from a closed list, never from the request's text.
  const column: Record<UserSort, string> = {
    score: 'score',
    user_id: 'user_id',
    account_id: 'account_id',
    days_active: 'days_active',
    key_actions: 'key_actions',
    events: 'events',
  };
  const dir = query.order === 'asc' ? 'ASC' : 'DESC';
  // Ties by id, ascending whatever the direction: the score descending is USER_ORDER itself.
  return {
    count: compileScoredCount(d, query),
    page: {
      sql: `SELECT * FROM scored WHERE ${where}
     ORDER BY ${column[query.sort]} ${dir}, user_id ASC
     LIMIT ${d.param('limit', 'Int64')} OFFSET ${d.param('offset', 'Int64')}`,
      params,
    },
  };
}
