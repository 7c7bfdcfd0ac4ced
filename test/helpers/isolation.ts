import { afterAll, beforeAll } from 'vitest';
import { generateKey, hashKey, type KeyScope, keyId } from '../../src/projects/api-keys.js';
import { type CollectorServer, startCollectorServer } from './collector-server.js';

/**
 * What the project-isolation tests of both families of ingest routes share
 * (test/collector/isolation-*.test.ts): a server with acme's non-write and revoked keys, per-case
 * tags for message ids, the rows a case stored, what it should have stored, and a POST.
 */

export const BAD_KEYS = [
  'read key of acme',
  'admin key of acme',
  'revoked write key of acme',
  'unknown write key',
  'not a key at all',
] as const;
export type BadKey = (typeof BAD_KEYS)[number];

export interface Setup {
  server: CollectorServer;
  acme: string;
  other: string;
  bad: Record<BadKey, string>;
}

/** Stores a key for a project the way createProject does, optionally already revoked. */
export async function addKey(
  server: CollectorServer,
  projectId: string,
  scope: KeyScope,
  revoked = false,
): Promise<string> {
  const key = generateKey(scope);
  await server.db.engine.run(
    `INSERT INTO api_keys (key_id, project_id, scope, key_hash, revoked_at)
     VALUES ($id, $p, $scope, $hash, CASE WHEN $revoked THEN current_timestamp END)`,
    { id: keyId(key), p: projectId, scope, hash: hashKey(key), revoked },
  );
  return key;
}

/** One server for the describe that calls it, with acme's non-write and revoked keys added. */
export function useServer(): Setup {
  const setup = {} as Setup;
  beforeAll(async () => {
    setup.server = await startCollectorServer();
    [setup.acme, setup.other] = setup.server.writeKeys;
    setup.bad = {
      'read key of acme': await addKey(setup.server, 'acme', 'read'),
      'admin key of acme': await addKey(setup.server, 'acme', 'admin'),
      'revoked write key of acme': await addKey(setup.server, 'acme', 'write', true),
      'unknown write key': generateKey('write'),
      'not a key at all': "' OR 1=1 --",
    };
  });
  afterAll(() => setup.server?.close());
  return setup;
}

let serial = 0;
/** A prefix for the message ids of one case, unique in the file. */
export const tagFor = (label: string) => `iso${++serial}-${label.replace(/[^a-z0-9]+/gi, '-')}-`;

export type RecordKind = 'event' | 'identify' | 'group' | 'alias';

export interface StoredRow {
  tbl: string;
  project_id: string;
  message_id: string | null;
  who: string | null;
}

export const sortRows = (rows: StoredRow[]) =>
  [...rows].sort((a, b) =>
    `${a.tbl}|${a.project_id}|${a.message_id}` < `${b.tbl}|${b.project_id}|${b.message_id}`
      ? -1
      : 1,
  );

/** Loads the log, then every row of the four record tables (and failed_events) the tag marks. */
export async function storedRows(setup: Setup, tag: string): Promise<StoredRow[]> {
  await setup.server.collector.loadNow();
  const rows = await setup.server.db.engine.query<StoredRow>(
    `SELECT 'events' AS tbl, project_id, message_id, user_id AS who FROM events
       WHERE starts_with(message_id, $tag)
     UNION ALL SELECT 'identifies', project_id, message_id, user_id FROM identifies
       WHERE starts_with(message_id, $tag)
     UNION ALL SELECT 'group_memberships', project_id, message_id, account_id FROM group_memberships
       WHERE starts_with(message_id, $tag)
     UNION ALL SELECT 'aliases', project_id, message_id, user_id FROM aliases
       WHERE starts_with(message_id, $tag)
     UNION ALL SELECT 'failed_events', project_id, NULL, NULL FROM failed_events
       WHERE contains(raw, $tag)`,
    { tag },
  );
  return sortRows(rows);
}

/** The rows one accepted request for a project must leave, in storedRows' order. */
export function expectedRows(
  kinds: readonly RecordKind[],
  tag: string,
  projectId: string,
  who: string,
): StoredRow[] {
  const table: Record<RecordKind, string> = {
    event: 'events',
    identify: 'identifies',
    group: 'group_memberships',
    alias: 'aliases',
  };
  return kinds.map((k, i) => ({
    tbl: table[k],
    project_id: projectId,
    message_id: `${tag}${i}`,
    who: k === 'group' ? `${who}-co` : who,
  }));
}

export async function post(
  setup: Setup,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: { error?: string } }> {
  const res = await fetch(`${setup.server.base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { error?: string } };
}

// --- Segment ---------------------------------------------------------------------------------
