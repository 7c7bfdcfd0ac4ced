import type { Engine } from '../engines/engine.js';
import type { Catalogue } from '../model/catalogue.js';
import type { Definition } from '../model/definition.js';
import type { DefinitionWarning } from '../model/definition-problems.js';
import type { Segment } from '../model/segments.js';
import { compileScoredCount, type UserSort } from '../sql/compile-scored-users.js';
import { featureLabels } from './feature-labels.js';
import { readScoredPage, readScoredUsers, scoreInto, type UserResult } from './score-users.js';
import { type DataHistory, verdictWarnings } from './verdict-warnings.js';

/** Whose users, scored by which definition, in the window to which day. */
export interface UsersScope {
  projectId: string;
  definition: Definition;
  /** The last day of the window, resolved where the request entered (resolveAsOf). */
  asOf: string;
  catalogue?: Catalogue | undefined;
  /** The segments power users are placed in. */
  segments?: readonly Segment[] | undefined;
}

/** Which users, in which order, how many. */
export interface UsersQuery {
  /** Power users only (true), everyone else only (false), or everyone. */
  power?: boolean | undefined;
  /** Users whose id or account id contains this text (case-insensitive). */
  text?: string | undefined;
  /** Power users in this segment. */
  segment?: string | undefined;
  /** The order (with `order`, default descending); without it, power users first, best first. */
  sort?: UserSort | undefined;
  order?: 'asc' | 'desc' | undefined;
  /** At most this many users, after the first `offset`; without it, every one that matches. */
  limit?: number | undefined;
  offset?: number | undefined;
}

export interface UserListing {
  as_of: string;
  window_days: number;
  /** The definition's name. */
  definition: string;
  /** The data the verdicts are computed from, and what they cannot be trusted for. */
  history: DataHistory;
  warnings: DefinitionWarning[];
  /** How many users match the query, before `limit` and `offset` cut them. */
  total: number;
  users: UserResult[];
}

/**
 * The users active in the window with score, verdict, reason, segments and traits: the users
 * command and GET /api/v1/users. Scores the window, then reads what the query asks for.
 */
export async function listUsers(
  engine: Engine,
  scope: UsersScope,
  query: UsersQuery = {},
): Promise<UserListing> {
  const { definition } = scope;
  await scoreInto(engine, definition, {
    projectId: scope.projectId,
    asOf: scope.asOf,
    catalogue: scope.catalogue,
  });
  const read = {
    labels: featureLabels(scope.catalogue),
    segments: scope.segments,
    traitsOf: scope.projectId,
  };
  const { total, users } = await readUsers(engine, definition, query, read);
  const { history, warnings } = await verdictWarnings(
    engine,
    scope.projectId,
    definition,
    scope.asOf,
  );
  return {
    as_of: scope.asOf,
    window_days: definition.window_days,
    definition: definition.name,
    history,
    warnings,
    total,
    users,
  };
}

interface ReadContext {
  labels: ReadonlyMap<string, string>;
  segments: readonly Segment[] | undefined;
  traitsOf: string;
}

/**
 * The users the query asks for, read the cheapest way that answers it: a sorted page is cut in
 * SQL (explanations are built for that page only); the ranked list (power users first) in SQL
 * too; a segment, or a sorted list without a page, needs every user read and then filtered.
 */
async function readUsers(
  engine: Engine,
  definition: Definition,
  query: UsersQuery,
  read: ReadContext,
): Promise<{ total: number; users: UserResult[] }> {
  if (query.sort !== undefined && query.limit !== undefined && !query.segment) {
    return readScoredPage(
      engine,
      definition,
      {
        power: query.power,
        text: query.text,
        sort: query.sort,
        order: query.order ?? 'desc',
        limit: query.limit,
        offset: query.offset ?? 0,
      },
      read,
    );
  }
  const ranked = query.sort === undefined && !query.segment && !query.text && !query.offset;
  if (ranked && query.power !== false) {
    const users = await readScoredUsers(engine, definition, {
      ...read,
      powerOnly: query.power,
      limit: query.limit,
    });
    return { total: await countUsers(engine, query.power), users };
  }
  const all = await readScoredUsers(engine, definition, read);
  const picked = all.filter((u) => matches(u, query));
  if (query.sort !== undefined) picked.sort(compareUsers(query.sort, query.order ?? 'desc'));
  const offset = query.offset ?? 0;
  return {
    total: picked.length,
    users: query.limit === undefined ? picked : picked.slice(offset, offset + query.limit),
  };
}

/** How many users of the last scoring are power users (true), the others (false), or all. */
async function countUsers(engine: Engine, power: boolean | undefined): Promise<number> {
  const { sql, params } = compileScoredCount(engine.dialect, { power });
  const [row] = await engine.query<{ n: number }>(sql, params);
  return Number(row?.n ?? 0);
}

function matches(u: UserResult, query: UsersQuery): boolean {
  const needle = query.text?.toLowerCase();
  return (
    (query.power === undefined || u.is_power_user === query.power) &&
    (!needle ||
      u.user_id.toLowerCase().includes(needle) ||
      u.account_id.toLowerCase().includes(needle)) &&
    (!query.segment || u.segments.some((s) => s.segment === query.segment))
  );
}

/**
 * Users by `sort`, then by id ascending: the order SQL gives a page (compileScoredPage), so a CSV
 * or a segment's page lists users as the dashboard's pages do. Ids compare by code unit, as the
 * engines compare text by byte (the same order but for characters beyond U+FFFF).
 */
function compareUsers(sort: UserSort, order: 'asc' | 'desc') {
  const dir = order === 'asc' ? 1 : -1;
  const key = (u: UserResult): number | string =>
    sort === 'user_id'
      ? u.user_id
      : sort === 'account_id'
        ? u.account_id
        : sort === 'score'
          ? u.score
          : (u.signals[sort as keyof UserResult['signals']] ?? 0);
  const cmp = (x: number | string, y: number | string) => (x < y ? -1 : x > y ? 1 : 0);
  return (a: UserResult, b: UserResult) => cmp(key(a), key(b)) * dir || cmp(a.user_id, b.user_id);
}
