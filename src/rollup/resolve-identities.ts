import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';
import type { Engine } from '../engines/engine.js';
import { canonicalIds, type IdentityLink } from './canonical-ids.js';

export interface IdentityRefresh {
  /** Whether the project has a linked id at all: the rollup joins identity_map only then. */
  mapped: boolean;
  /** Linked ids whose user is new or different since the last refresh. */
  changed: number;
}

export interface ResolveIdentitiesOptions {
  projectId: string;
  /**
   * Events to read links from: all of them (a full rebuild starts the links afresh), or the
   * time range the rollup is about to rebuild, which holds every event stored since the last
   * refresh (new events mark their days dirty).
   */
  events: { kind: 'all' } | { kind: 'range'; lo: string; hi: string };
  /** Mark dirty the days on which a changed id was counted (not needed before a full rebuild). */
  markDays: boolean;
}

/** Earliest link per id from the sources, as a SELECT over aliases, identifies and events. */
function linksFromSources(d: Dialect, eventRange: string): string {
  const p = d.param('p', 'String');
  return `SELECT alias_id, target_id, linked_at FROM (
      SELECT *, row_number() OVER (PARTITION BY alias_id ORDER BY linked_at, target_id) AS rn
      FROM (
        SELECT previous_id AS alias_id, user_id AS target_id, timestamp AS linked_at
        FROM aliases WHERE project_id = ${p}
        UNION ALL
        SELECT anonymous_id, user_id, timestamp FROM identifies
        WHERE project_id = ${p} AND user_id IS NOT NULL AND anonymous_id IS NOT NULL
        UNION ALL
        SELECT anonymous_id, user_id, min(timestamp) FROM events
        WHERE project_id = ${p} AND user_id IS NOT NULL AND anonymous_id IS NOT NULL ${eventRange}
        GROUP BY anonymous_id, user_id)
      WHERE alias_id <> target_id)
    WHERE rn = 1`;
}

/**
 * Keeps identity_links and identity_map up to date (docs/decisions/0006), inside the rollup's
 * transaction. A link says events under one id count for another: alias (previous id → user id),
 * an identify or an event carrying both an anonymous id and a user id (anonymous id → user id).
 * Each id keeps its earliest link, so a shared device does not merge two people: the anonymous id
 * belongs to whoever signed in on it first. When an id's user changes, the days it was counted on
 * are marked dirty and rebuilt under the new user, so its pre-login events count for the person.
 */
export async function resolveIdentities(
  engine: Engine,
  options: ResolveIdentitiesOptions,
): Promise<IdentityRefresh> {
  const d = engine.dialect;
  const p = { p: options.projectId };
  const pp = d.param('p', 'String');
  const ids = d.param('ids', 'Array(String)');
  try {
    const changedIds =
      options.events.kind === 'all'
        ? await relinkAll(engine, d, p)
        : await relinkNew(engine, d, { ...p, lo: options.events.lo, hi: options.events.hi });
    const [any] = await engine.query<{ n: number }>(
      `SELECT count(*) AS n FROM (SELECT 1 FROM identity_map WHERE project_id = ${pp} LIMIT 1)`,
      p,
    );
    const mapped = (any?.n ?? 0) > 0;
    if (!changedIds) return { mapped, changed: 0 };
    const { next, scope } = changedIds;
    const before = new Map(
      (
        await engine.query<{ alias_id: string; user_id: string }>(
          `SELECT alias_id, user_id FROM identity_map
           WHERE project_id = ${pp} AND ${d.inList('alias_id', ids)}`,
          { ...p, ids: scope },
        )
      ).map((r) => [r.alias_id, r.user_id]),
    );
    const changed: string[] = [];
    const previousUsers: string[] = [];
    for (const alias of scope) {
      const was = before.get(alias);
      const now = next.get(alias);
      if (was === now) continue;
      changed.push(alias);
      if (was !== undefined) previousUsers.push(was);
    }
    if (changed.length === 0) return { mapped, changed: 0 };
    if (options.markDays) {
      // The rows of a changed id sit under the id itself, or under the user it resolved to before.
      await engine.run(
        `${d.insertIgnore('rollup_dirty_days')} (project_id, day)
         SELECT DISTINCT ${pp}, day FROM user_day
         WHERE project_id = ${pp} AND ${d.inList('user_id', ids)}`,
        { ...p, ids: [...changed, ...previousUsers] },
      );
    }
    await engine.run(
      `DELETE FROM identity_map WHERE project_id = ${pp} AND ${d.inList('alias_id', ids)}`,
      { ...p, ids: changed },
    );
    const kept = changed.filter((a) => next.has(a));
    if (kept.length > 0) {
      await engine.run(
        `INSERT INTO identity_map (project_id, alias_id, user_id)
         SELECT ${pp}, x, y FROM ${d.zipRows(d.param('aliases', 'Array(String)'), d.param('users', 'Array(String)'))}`,
        { ...p, aliases: kept, users: kept.map((a) => next.get(a) as string) },
      );
    }
    return { mapped: mapped || kept.length > 0, changed: changed.length };
  } finally {
    await engine.run('DROP TABLE IF EXISTS candidate_links');
  }
}

interface Relinked {
  /** The user of each id in `scope` now (absent: no longer linked). */
  next: Map<string, string>;
  /** The ids whose user may have changed. */
  scope: string[];
}

/** A full rebuild: every link read again from all the sources, the whole map worked out. */
async function relinkAll(engine: Engine, d: Dialect, p: SqlParams): Promise<Relinked | null> {
  const pp = d.param('p', 'String');
  await engine.run(d.scratchTable('candidate_links', linksFromSources(d, '')), p);
  const [diff] = await engine.query<{ n: number }>(
    `SELECT count(*) AS n FROM (
       SELECT * FROM (SELECT alias_id, target_id, linked_at FROM candidate_links
        EXCEPT SELECT alias_id, target_id, linked_at FROM identity_links WHERE project_id = ${pp})
       UNION ALL
       SELECT * FROM (SELECT alias_id, target_id, linked_at FROM identity_links WHERE project_id = ${pp}
        EXCEPT SELECT alias_id, target_id, linked_at FROM candidate_links))`,
    p,
  );
  if ((diff?.n ?? 0) === 0) return null;
  await engine.run(`DELETE FROM identity_links WHERE project_id = ${pp}`, p);
  await engine.run(
    `INSERT INTO identity_links (project_id, alias_id, target_id, linked_at)
     SELECT ${pp}, alias_id, target_id, linked_at FROM candidate_links`,
    p,
  );
  const links = await engine.query<IdentityLink>(
    `SELECT alias_id AS alias, target_id AS target, linked_at AS at
     FROM identity_links WHERE project_id = ${pp}`,
    p,
  );
  const next = canonicalIds(links);
  const mappedBefore = await engine.query<{ alias_id: string }>(
    `SELECT alias_id FROM identity_map WHERE project_id = ${pp}`,
    p,
  );
  return { next, scope: [...new Set([...next.keys(), ...mappedBefore.map((r) => r.alias_id)])] };
}

/**
 * An incremental refresh: only links that are new, or earlier than the stored one for their id,
 * are read (from the events about to be rebuilt, and the aliases and identifies); only the ids
 * whose chain runs through a changed id are worked out again, from the links reachable from
 * them. A new login costs a few small queries, however many links the project has.
 */
async function relinkNew(engine: Engine, d: Dialect, params: SqlParams): Promise<Relinked | null> {
  const pp = d.param('p', 'String');
  const eventRange = `AND timestamp >= ${d.param('lo', 'DateTime')} AND timestamp < ${d.param('hi', 'DateTime')}`;
  await engine.run(
    d.scratchTable(
      'candidate_links',
      `SELECT f.alias_id AS alias_id, f.target_id AS target_id, f.linked_at AS linked_at
       FROM (${linksFromSources(d, eventRange)}) f
       LEFT JOIN (SELECT alias_id, target_id, linked_at FROM identity_links
                  WHERE project_id = ${pp}) s ON s.alias_id = f.alias_id
       WHERE s.alias_id IS NULL OR f.linked_at < s.linked_at
         OR (f.linked_at = s.linked_at AND f.target_id < s.target_id)`,
    ),
    params,
  );
  const changedLinks = (
    await engine.query<{ alias_id: string }>('SELECT alias_id FROM candidate_links')
  ).map((r) => r.alias_id);
  if (changedLinks.length === 0) return null;
  const p = { p: params.p ?? null };
  await engine.run(
    `DELETE FROM identity_links WHERE project_id = ${pp}
       AND alias_id IN (SELECT alias_id FROM candidate_links)`,
    p,
  );
  await engine.run(
    `INSERT INTO identity_links (project_id, alias_id, target_id, linked_at)
     SELECT ${pp}, alias_id, target_id, linked_at FROM candidate_links`,
    p,
  );
  // An id's user can change only if its chain ran through a changed id: it then resolved to that
  // id (which had no link) or to what that id resolved to.
  const scope = (
    await engine.query<{ alias_id: string }>(
      `SELECT alias_id FROM candidate_links
       UNION ALL SELECT alias_id FROM identity_map
       WHERE project_id = ${pp} AND user_id IN (
         SELECT alias_id FROM candidate_links
         UNION ALL SELECT user_id FROM identity_map
         WHERE project_id = ${pp} AND alias_id IN (SELECT alias_id FROM candidate_links))`,
      p,
    )
  ).map((r) => r.alias_id);
  // The links reachable from them, hop by hop (chains are short: a login, perhaps a rename).
  const links = new Map<string, IdentityLink>();
  let frontier = [...new Set(scope)];
  while (frontier.length > 0) {
    const rows = await engine.query<IdentityLink>(
      `SELECT alias_id AS alias, target_id AS target, linked_at AS at FROM identity_links
       WHERE project_id = ${pp} AND ${d.inList('alias_id', d.param('ids', 'Array(String)'))}`,
      { ...p, ids: frontier },
    );
    for (const r of rows) links.set(r.alias, r);
    frontier = [...new Set(rows.map((r) => r.target))].filter((t) => !links.has(t));
  }
  const next = canonicalIds([...links.values()]);
  // Every id met on the way is worked out again: those off the scope come out as before.
  return { next, scope: [...new Set([...scope, ...next.keys()])] };
}
