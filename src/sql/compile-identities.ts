import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';

/**
 * The statements that keep identity_links and identity_map (docs/decisions/0006), in the order
 * src/rollup/resolve-identities.ts runs them inside the rollup's transaction. A link says events
 * under one id count for another; each id keeps its earliest link. `candidate_links` is a scratch
 * table of the links read from the sources in this refresh, dropped at its end.
 */

type Statement = { sql: string; params: SqlParams };

/** The scratch table of the links a refresh read. */
const CANDIDATES = 'candidate_links';

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

/** A full rebuild: every link read again from all the sources, into candidate_links. */
export function compileCandidateLinksAll(d: Dialect, projectId: string): Statement {
  return { sql: d.scratchTable(CANDIDATES, linksFromSources(d, '')), params: { p: projectId } };
}

/**
 * An incremental refresh: into candidate_links, only the links that are new, or earlier than the
 * stored one for their id, read from the events of a time range and all aliases and identifies.
 */
export function compileCandidateLinksNew(
  d: Dialect,
  input: { projectId: string; lo: string; hi: string },
): Statement {
  const pp = d.param('p', 'String');
  const eventRange = `AND timestamp >= ${d.param('lo', 'DateTime')} AND timestamp < ${d.param('hi', 'DateTime')}`;
  return {
    sql: d.scratchTable(
      CANDIDATES,
      `SELECT f.alias_id AS alias_id, f.target_id AS target_id, f.linked_at AS linked_at
       FROM (${linksFromSources(d, eventRange)}) f
       LEFT JOIN (SELECT alias_id, target_id, linked_at FROM identity_links
                  WHERE project_id = ${pp}) s ON s.alias_id = f.alias_id
       WHERE s.alias_id IS NULL OR f.linked_at < s.linked_at
         OR (f.linked_at = s.linked_at AND f.target_id < s.target_id)`,
    ),
    params: { p: input.projectId, lo: input.lo, hi: input.hi },
  };
}

/** Links in candidate_links but not stored, and stored but not in candidate_links: `n`. */
export function compileCountLinkChanges(d: Dialect, projectId: string): Statement {
  const pp = d.param('p', 'String');
  return {
    sql: `SELECT count(*) AS n FROM (
       SELECT * FROM (SELECT alias_id, target_id, linked_at FROM candidate_links
        EXCEPT SELECT alias_id, target_id, linked_at FROM identity_links WHERE project_id = ${pp})
       UNION ALL
       SELECT * FROM (SELECT alias_id, target_id, linked_at FROM identity_links WHERE project_id = ${pp}
        EXCEPT SELECT alias_id, target_id, linked_at FROM candidate_links))`,
    params: { p: projectId },
  };
}

/** The ids of candidate_links: `alias_id`. */
export function compileCandidateAliasIds(): Statement {
  return { sql: 'SELECT alias_id FROM candidate_links', params: {} };
}

/** Deletes every stored link of the project. */
export function compileDeleteAllLinks(d: Dialect, projectId: string): Statement {
  return {
    sql: `DELETE FROM identity_links WHERE project_id = ${d.param('p', 'String')}`,
    params: { p: projectId },
  };
}

/** Deletes the stored links of the ids in candidate_links (replaced next by the candidates). */
export function compileDeleteCandidateLinks(d: Dialect, projectId: string): Statement {
  return {
    sql: `DELETE FROM identity_links WHERE project_id = ${d.param('p', 'String')}
       AND alias_id IN (SELECT alias_id FROM candidate_links)`,
    params: { p: projectId },
  };
}

/** Stores candidate_links as the project's links. */
export function compileStoreCandidateLinks(d: Dialect, projectId: string): Statement {
  return {
    sql: `INSERT INTO identity_links (project_id, alias_id, target_id, linked_at)
     SELECT ${d.param('p', 'String')}, alias_id, target_id, linked_at FROM candidate_links`,
    params: { p: projectId },
  };
}

/** Every stored link of the project, as IdentityLink rows (alias, target, at). */
export function compileProjectLinks(d: Dialect, projectId: string): Statement {
  return {
    sql: `SELECT alias_id AS alias, target_id AS target, linked_at AS at
     FROM identity_links WHERE project_id = ${d.param('p', 'String')}`,
    params: { p: projectId },
  };
}

/** The stored links of some ids, as IdentityLink rows (alias, target, at). */
export function compileLinksOf(d: Dialect, projectId: string, ids: readonly string[]): Statement {
  return {
    sql: `SELECT alias_id AS alias, target_id AS target, linked_at AS at FROM identity_links
       WHERE project_id = ${d.param('p', 'String')} AND ${d.inList('alias_id', d.param('ids', 'Array(String)'))}`,
    params: { p: projectId, ids },
  };
}

/** Every id identity_map holds for the project: `alias_id`. */
export function compileMappedIds(d: Dialect, projectId: string): Statement {
  return {
    sql: `SELECT alias_id FROM identity_map WHERE project_id = ${d.param('p', 'String')}`,
    params: { p: projectId },
  };
}

/**
 * The ids whose user can change after candidate_links replaced their links (`alias_id`, with
 * repeats): the changed ids, and those whose chain ran through one, which then resolved to that
 * id (which had no link) or to what that id resolved to.
 */
export function compileRelinkScope(d: Dialect, projectId: string): Statement {
  const pp = d.param('p', 'String');
  return {
    sql: `SELECT alias_id FROM candidate_links
       UNION ALL SELECT alias_id FROM identity_map
       WHERE project_id = ${pp} AND user_id IN (
         SELECT alias_id FROM candidate_links
         UNION ALL SELECT user_id FROM identity_map
         WHERE project_id = ${pp} AND alias_id IN (SELECT alias_id FROM candidate_links))`,
    params: { p: projectId },
  };
}

/** Whether the project has a linked id at all: `n` is 0 or 1. */
export function compileHasIdentityMap(d: Dialect, projectId: string): Statement {
  return {
    sql: `SELECT count(*) AS n FROM (SELECT 1 FROM identity_map WHERE project_id = ${d.param('p', 'String')} LIMIT 1)`,
    params: { p: projectId },
  };
}

/** The user identity_map gives each of some ids: `alias_id`, `user_id`. */
export function compileMappedUsers(
  d: Dialect,
  projectId: string,
  ids: readonly string[],
): Statement {
  return {
    sql: `SELECT alias_id, user_id FROM identity_map
           WHERE project_id = ${d.param('p', 'String')} AND ${d.inList('alias_id', d.param('ids', 'Array(String)'))}`,
    params: { p: projectId, ids },
  };
}

/** Marks dirty the days on which rows of some users (ids, or who they resolved to) were counted. */
export function compileMarkDaysOfUsers(
  d: Dialect,
  projectId: string,
  users: readonly string[],
): Statement {
  const pp = d.param('p', 'String');
  return {
    sql: `${d.insertIgnore('rollup_dirty_days')} (project_id, day)
         SELECT DISTINCT ${pp}, day FROM user_day
         WHERE project_id = ${pp} AND ${d.inList('user_id', d.param('ids', 'Array(String)'))}`,
    params: { p: projectId, ids: users },
  };
}

/** Deletes the identity_map rows of some ids. */
export function compileDeleteMapped(
  d: Dialect,
  projectId: string,
  ids: readonly string[],
): Statement {
  return {
    sql: `DELETE FROM identity_map WHERE project_id = ${d.param('p', 'String')} AND ${d.inList('alias_id', d.param('ids', 'Array(String)'))}`,
    params: { p: projectId, ids },
  };
}

/** Maps ids to users, pairwise (two lists of the same length). */
export function compileInsertMapped(
  d: Dialect,
  projectId: string,
  aliases: readonly string[],
  users: readonly string[],
): Statement {
  return {
    sql: `INSERT INTO identity_map (project_id, alias_id, user_id)
         SELECT ${d.param('p', 'String')}, x, y FROM ${d.zipRows(d.param('aliases', 'Array(String)'), d.param('users', 'Array(String)'))}`,
    params: { p: projectId, aliases, users },
  };
}

/** Drops candidate_links at the end of a refresh, whatever happened. */
export function compileDropCandidateLinks(): Statement {
  return { sql: `DROP TABLE IF EXISTS ${CANDIDATES}`, params: {} };
}
