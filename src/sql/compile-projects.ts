import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams } from '../dialect/sql-value.js';

/**
 * The statements about projects and their API keys (src/projects): the project row written once
 * for every engine with the dialect's insertReplace, the current row of each project, listings and
 * the key lookup.
 */

type Statement = { sql: string; params: SqlParams };

/**
 * Each project's current row. On ClickHouse a changed time zone is a newer row of the same
 * project (a ReplacingMergeTree), which merges away only in time; on DuckDB there is one row.
 */
const CURRENT_PROJECTS = `(SELECT p.project_id, p.name, p.time_zone, p.created_at
  FROM projects p JOIN (SELECT project_id, max(created_at) AS latest FROM projects
    GROUP BY project_id) l ON l.project_id = p.project_id AND l.latest = p.created_at)`;

/** A project's current name and time zone (no row: no such project). */
export function compileProjectRow(d: Dialect, projectId: string): Statement {
  return {
    sql: `SELECT name, time_zone FROM projects WHERE project_id = ${d.param('id', 'String')}
       ORDER BY created_at DESC LIMIT 1`,
    params: { id: projectId },
  };
}

/**
 * Writes a project's row: a new project, or a new name or time zone for one (DuckDB replaces the
 * row and keeps its created_at; ClickHouse adds a newer version, which readers take).
 */
export function compileSaveProject(
  d: Dialect,
  project: { projectId: string; name: string; timeZone: string },
): Statement {
  return {
    sql: `${d.insertReplace('projects')} (project_id, name, time_zone)
       SELECT ${d.param('id', 'String')}, ${d.param('name', 'String')}, ${d.param('tz', 'String')}`,
    params: { id: project.projectId, name: project.name, tz: project.timeZone },
  };
}

/**
 * Adds a project named by its id unless it is there already (then its row stays as it is). For
 * a staging database that copied the target's projects: a project new to both gets its zone.
 */
export function compileAddProjectIfMissing(
  d: Dialect,
  project: { projectId: string; timeZone: string },
): Statement {
  const id = d.param('p', 'String');
  return {
    sql: `${d.insertIgnore('projects')} (project_id, name, time_zone)
       SELECT ${id}, ${id}, ${d.param('tz', 'String')}`,
    params: { p: project.projectId, tz: project.timeZone },
  };
}

/** Rows of a project id: `n` (0 when it is free). */
export function compileProjectCount(d: Dialect, projectId: string): Statement {
  return {
    sql: `SELECT count(*) AS n FROM projects WHERE project_id = ${d.param('p', 'String')}`,
    params: { p: projectId },
  };
}

/** Every project id, in order: `project_id`. */
export function compileProjectIds(): Statement {
  return { sql: 'SELECT DISTINCT project_id FROM projects ORDER BY project_id', params: {} };
}

/** Up to `limit` other projects with rolled-up events, in order: `project_id`. */
export function compileOtherProjectsWithEvents(
  d: Dialect,
  projectId: string,
  limit: number,
): Statement {
  return {
    sql: `SELECT DISTINCT project_id FROM user_day
         WHERE project_id <> ${d.param('p', 'String')}
         ORDER BY project_id LIMIT ${Math.trunc(limit)}`,
    params: { p: projectId },
  };
}

/** Every project's current row (project_id, name, time_zone), for a copy of the projects. */
export function compileCurrentProjects(): Statement {
  return {
    sql: `SELECT p.project_id, p.name, p.time_zone FROM ${CURRENT_PROJECTS} p`,
    params: {},
  };
}

/** The projects with dirty days, each with its current time zone: `project_id`, `time_zone`. */
export function compileProjectsWithDirtyDays(): Statement {
  return {
    sql: `SELECT DISTINCT p.project_id, p.time_zone FROM ${CURRENT_PROJECTS} p
       JOIN rollup_dirty_days d ON d.project_id = p.project_id`,
    params: {},
  };
}

/** Every project's current row with created_at as ISO text, by id. */
export function compileListProjects(d: Dialect): Statement {
  return {
    sql: `SELECT p.project_id, p.name, p.time_zone, ${d.instantText('p.created_at')} AS created_at
     FROM ${CURRENT_PROJECTS} p ORDER BY p.project_id`,
    params: {},
  };
}

/** Every API key's public part (never its digest), by project and age. */
export function compileListKeys(d: Dialect): Statement {
  return {
    sql: `SELECT project_id, key_id, scope, ${d.instantText('created_at')} AS created_at,
       ${d.bool('revoked_at IS NOT NULL')} AS revoked
     FROM api_keys ORDER BY project_id, created_at, key_id`,
    params: {},
  };
}

/** The project and digest of an unrevoked key of a scope, by its public id. */
export function compileKeyLookup(d: Dialect, key: { keyId: string; scope: string }): Statement {
  return {
    sql: `SELECT project_id, key_hash FROM api_keys
     WHERE key_id = ${d.param('id', 'String')} AND scope = ${d.param('scope', 'String')}
       AND revoked_at IS NULL`,
    params: { id: key.keyId, scope: key.scope },
  };
}
