import type { Engine } from '../engines/engine.js';
import {
  compileKeyLookup,
  compileListKeys,
  compileListProjects,
  compileProjectCount,
  compileSaveProject,
} from '../sql/compile-projects.js';
import { generateKey, hashKey, type KeyScope, keyId, sameHash, scopeOf } from './api-keys.js';

export class ProjectError extends Error {}

export interface CreatedProject {
  project_id: string;
  name: string;
  time_zone: string;
  /** Shown once: only their SHA-256 digests are stored. */
  write_key: string;
  read_key: string;
}

export interface ProjectListing {
  project_id: string;
  name: string;
  time_zone: string;
  created_at: string;
  keys: { key_id: string; scope: KeyScope; created_at: string; revoked: boolean }[];
}

/** "Acme App (EU)" -> "acme-app-eu": the project id people type in flags and URLs. */
export function projectIdFor(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
}

async function storeKey(engine: Engine, projectId: string, scope: KeyScope): Promise<string> {
  const key = generateKey(scope);
  await engine.insert('api_keys', [
    { key_id: keyId(key), project_id: projectId, scope, key_hash: hashKey(key) },
  ]);
  return key;
}

/** Creates a project with a write key and a read key. */
export async function createProject(
  engine: Engine,
  options: { name: string; timeZone: string },
): Promise<CreatedProject> {
  const name = options.name.trim();
  const projectId = projectIdFor(name);
  if (!projectId) {
    throw new ProjectError(
      `project name "${options.name}" has no letters or digits to make an id from; use e.g. "Acme App".`,
    );
  }
  return engine.transaction(async () => {
    const d = engine.dialect;
    const count = compileProjectCount(d, projectId);
    const taken = await engine.query<{ n: number }>(count.sql, count.params);
    if ((taken[0]?.n ?? 0) > 0) {
      throw new ProjectError(
        `a project "${projectId}" already exists; choose another name (powerlens projects list).`,
      );
    }
    const save = compileSaveProject(d, { projectId, name, timeZone: options.timeZone });
    await engine.run(save.sql, save.params);
    const write_key = await storeKey(engine, projectId, 'write');
    const read_key = await storeKey(engine, projectId, 'read');
    return { project_id: projectId, name, time_zone: options.timeZone, write_key, read_key };
  });
}

/** Every project's current row (the newest version on ClickHouse) with its keys' public ids. */
export async function listProjects(engine: Engine): Promise<ProjectListing[]> {
  const d = engine.dialect;
  const listed = compileListProjects(d);
  const projects = await engine.query<Omit<ProjectListing, 'keys'>>(listed.sql, listed.params);
  const listedKeys = compileListKeys(d);
  const keys = await engine.query<{
    project_id: string;
    key_id: string;
    scope: KeyScope;
    created_at: string;
    revoked: boolean;
  }>(listedKeys.sql, listedKeys.params);
  return projects.map((p) => ({
    ...p,
    keys: keys.filter((k) => k.project_id === p.project_id).map(({ project_id: _p, ...k }) => k),
  }));
}

export interface VerifiedKey {
  project_id: string;
  scope: KeyScope;
  key_id: string;
}

/**
 * The project and scope of a presented key, or null: unknown, revoked, malformed. The lookup is
 * by the key's public id and the digest is compared in constant time.
 */
export async function verifyKey(engine: Engine, key: string): Promise<VerifiedKey | null> {
  const scope = scopeOf(key);
  if (!scope) return null;
  const lookup = compileKeyLookup(engine.dialect, { keyId: keyId(key), scope });
  // A lookup, not a query: ingest and sign-in answer while a long report holds the engine.
  const [row] = await engine.lookup<{ project_id: string; key_hash: string }>(
    lookup.sql,
    lookup.params,
  );
  if (!row || !sameHash(row.key_hash, hashKey(key))) return null;
  return { project_id: row.project_id, scope, key_id: keyId(key) };
}
