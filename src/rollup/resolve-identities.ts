import type { SqlParams } from '../dialect/sql-value.js';
import type { Engine } from '../engines/engine.js';
import {
  compileCandidateAliasIds,
  compileCandidateLinksAll,
  compileCandidateLinksNew,
  compileCountLinkChanges,
  compileDeleteAllLinks,
  compileDeleteCandidateLinks,
  compileDeleteMapped,
  compileDropCandidateLinks,
  compileHasIdentityMap,
  compileInsertMapped,
  compileLinksOf,
  compileMappedIds,
  compileMappedUsers,
  compileMarkDaysOfUsers,
  compileProjectLinks,
  compileRelinkScope,
  compileStoreCandidateLinks,
} from '../sql/compile-identities.js';
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

type Statement = { sql: string; params: SqlParams };

const run = (engine: Engine, st: Statement) => engine.run(st.sql, st.params);
const query = <T>(engine: Engine, st: Statement) => engine.query<T>(st.sql, st.params);

/**
 * Keeps identity_links and identity_map up to date (docs/decisions/0006), inside the rollup's
 * transaction, with the statements of compile-identities.ts. A link says events under one id
 * count for another: alias (previous id → user id), an identify or an event carrying both an
 * anonymous id and a user id (anonymous id → user id). Each id keeps its earliest link, so a
 * shared device does not merge two people: the anonymous id belongs to whoever signed in on it
 * first. When an id's user changes, the days it was counted on are marked dirty and rebuilt under
 * the new user, so its pre-login events count for the person.
 */
export async function resolveIdentities(
  engine: Engine,
  options: ResolveIdentitiesOptions,
): Promise<IdentityRefresh> {
  const d = engine.dialect;
  const p = options.projectId;
  try {
    const changedIds =
      options.events.kind === 'all'
        ? await relinkAll(engine, p)
        : await relinkNew(engine, p, options.events);
    const [any] = await query<{ n: number }>(engine, compileHasIdentityMap(d, p));
    const mapped = (any?.n ?? 0) > 0;
    if (!changedIds) return { mapped, changed: 0 };
    const { next, scope } = changedIds;
    const before = new Map(
      (
        await query<{ alias_id: string; user_id: string }>(engine, compileMappedUsers(d, p, scope))
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
      await run(engine, compileMarkDaysOfUsers(d, p, [...changed, ...previousUsers]));
    }
    await run(engine, compileDeleteMapped(d, p, changed));
    const kept = changed.filter((a) => next.has(a));
    if (kept.length > 0) {
      const users = kept.map((a) => next.get(a) as string);
      await run(engine, compileInsertMapped(d, p, kept, users));
    }
    return { mapped: mapped || kept.length > 0, changed: changed.length };
  } finally {
    await run(engine, compileDropCandidateLinks());
  }
}

interface Relinked {
  /** The user of each id in `scope` now (absent: no longer linked). */
  next: Map<string, string>;
  /** The ids whose user may have changed. */
  scope: string[];
}

/** A full rebuild: every link read again from all the sources, the whole map worked out. */
async function relinkAll(engine: Engine, p: string): Promise<Relinked | null> {
  const d = engine.dialect;
  await run(engine, compileCandidateLinksAll(d, p));
  const [diff] = await query<{ n: number }>(engine, compileCountLinkChanges(d, p));
  if ((diff?.n ?? 0) === 0) return null;
  await run(engine, compileDeleteAllLinks(d, p));
  await run(engine, compileStoreCandidateLinks(d, p));
  const links = await query<IdentityLink>(engine, compileProjectLinks(d, p));
  const next = canonicalIds(links);
  const mappedBefore = await query<{ alias_id: string }>(engine, compileMappedIds(d, p));
  return { next, scope: [...new Set([...next.keys(), ...mappedBefore.map((r) => r.alias_id)])] };
}

/**
 * An incremental refresh: only links that are new, or earlier than the stored one for their id,
 * are read (from the events about to be rebuilt, and the aliases and identifies); only the ids
 * whose chain runs through a changed id are worked out again, from the links reachable from
 * them. A new login costs a few small queries, however many links the project has.
 */
async function relinkNew(
  engine: Engine,
  p: string,
  range: { lo: string; hi: string },
): Promise<Relinked | null> {
  const d = engine.dialect;
  await run(engine, compileCandidateLinksNew(d, { projectId: p, lo: range.lo, hi: range.hi }));
  const changedLinks = (await query<{ alias_id: string }>(engine, compileCandidateAliasIds())).map(
    (r) => r.alias_id,
  );
  if (changedLinks.length === 0) return null;
  await run(engine, compileDeleteCandidateLinks(d, p));
  await run(engine, compileStoreCandidateLinks(d, p));
  // An id's user can change only if its chain ran through a changed id.
  const scope = (await query<{ alias_id: string }>(engine, compileRelinkScope(d, p))).map(
    (r) => r.alias_id,
  );
  // The links reachable from them, hop by hop (chains are short: a login, perhaps a rename).
  const links = new Map<string, IdentityLink>();
  let frontier = [...new Set(scope)];
  while (frontier.length > 0) {
    const rows = await query<IdentityLink>(engine, compileLinksOf(d, p, frontier));
    for (const r of rows) links.set(r.alias, r);
    frontier = [...new Set(rows.map((r) => r.target))].filter((t) => !links.has(t));
  }
  const next = canonicalIds([...links.values()]);
  // Every id met on the way is worked out again: those off the scope come out as before.
  return { next, scope: [...new Set([...scope, ...next.keys()])] };
}
