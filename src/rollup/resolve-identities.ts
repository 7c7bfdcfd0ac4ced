import type { Engine, SqlParams } from '../engines/engine.js';
import { canonicalIds } from './canonical-ids.js';

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
  const full = options.events.kind === 'all';
  const params: SqlParams =
    options.events.kind === 'range'
      ? { p: options.projectId, lo: options.events.lo, hi: options.events.hi }
      : { p: options.projectId };
  const eventRange =
    options.events.kind === 'range'
      ? 'AND timestamp >= CAST($lo AS TIMESTAMPTZ) AND timestamp < CAST($hi AS TIMESTAMPTZ)'
      : '';
  // The stored links take part unless the rebuild starts afresh: keeping the earliest of stored
  // and new gives what a full rebuild would.
  const stored = full
    ? ''
    : 'UNION ALL SELECT alias_id, target_id, linked_at FROM identity_links WHERE project_id = $p';
  await engine.run(
    `CREATE OR REPLACE TEMP TABLE candidate_links AS
     SELECT alias_id, target_id, linked_at FROM (
       SELECT *, row_number() OVER (PARTITION BY alias_id ORDER BY linked_at, target_id) AS rn
       FROM (
         SELECT previous_id AS alias_id, user_id AS target_id, timestamp AS linked_at
         FROM aliases WHERE project_id = $p
         UNION ALL
         SELECT anonymous_id, user_id, timestamp FROM identifies
         WHERE project_id = $p AND user_id IS NOT NULL AND anonymous_id IS NOT NULL
         UNION ALL
         SELECT anonymous_id, user_id, min(timestamp) FROM events
         WHERE project_id = $p AND user_id IS NOT NULL AND anonymous_id IS NOT NULL ${eventRange}
         GROUP BY anonymous_id, user_id
         ${stored})
       WHERE alias_id <> target_id)
     WHERE rn = 1`,
    params,
  );
  const p = { p: options.projectId };
  try {
    const [diff] = await engine.query<{ n: number }>(
      `SELECT count(*) AS n FROM (
         (SELECT alias_id, target_id, linked_at FROM candidate_links
          EXCEPT SELECT alias_id, target_id, linked_at FROM identity_links WHERE project_id = $p)
         UNION ALL
         (SELECT alias_id, target_id, linked_at FROM identity_links WHERE project_id = $p
          EXCEPT SELECT alias_id, target_id, linked_at FROM candidate_links))`,
      p,
    );
    if ((diff?.n ?? 0) === 0) {
      const [any] = await engine.query<{ n: number }>(
        'SELECT count(*) AS n FROM (SELECT 1 FROM identity_map WHERE project_id = $p LIMIT 1)',
        p,
      );
      return { mapped: (any?.n ?? 0) > 0, changed: 0 };
    }
    await engine.run('DELETE FROM identity_links WHERE project_id = $p', p);
    await engine.run(
      `INSERT INTO identity_links (project_id, alias_id, target_id, linked_at)
       SELECT $p, alias_id, target_id, linked_at FROM candidate_links`,
      p,
    );
    const links = await engine.query<{ alias: string; target: string; at: string }>(
      `SELECT alias_id AS alias, target_id AS target, linked_at AS at
       FROM identity_links WHERE project_id = $p`,
      p,
    );
    const next = canonicalIds(links);
    const before = new Map(
      (
        await engine.query<{ alias_id: string; user_id: string }>(
          'SELECT alias_id, user_id FROM identity_map WHERE project_id = $p',
          p,
        )
      ).map((r) => [r.alias_id, r.user_id]),
    );
    const changed: string[] = [];
    const previousUsers: string[] = [];
    for (const [alias, user] of next) if (before.get(alias) !== user) changed.push(alias);
    for (const [alias, user] of before) {
      if (next.get(alias) !== user) {
        if (!next.has(alias)) changed.push(alias);
        previousUsers.push(user);
      }
    }
    if (changed.length === 0) return { mapped: next.size > 0, changed: 0 };
    const ids = { ...p, ids: changed };
    if (options.markDays) {
      // The rows of a changed id sit under the id itself, or under the user it resolved to before.
      await engine.run(
        `INSERT OR IGNORE INTO rollup_dirty_days (project_id, day)
         SELECT DISTINCT $p, day FROM user_day
         WHERE project_id = $p AND user_id IN (SELECT unnest(CAST($ids AS VARCHAR[])))`,
        { ...p, ids: [...changed, ...previousUsers] },
      );
    }
    await engine.run(
      `DELETE FROM identity_map
       WHERE project_id = $p AND alias_id IN (SELECT unnest(CAST($ids AS VARCHAR[])))`,
      ids,
    );
    const kept = changed.filter((a) => next.has(a));
    await engine.run(
      `INSERT INTO identity_map (project_id, alias_id, user_id)
       SELECT $p, unnest(CAST($aliases AS VARCHAR[])), unnest(CAST($users AS VARCHAR[]))`,
      { ...p, aliases: kept, users: kept.map((a) => next.get(a) as string) },
    );
    return { mapped: next.size > 0, changed: changed.length };
  } finally {
    await engine.run('DROP TABLE IF EXISTS candidate_links');
  }
}
