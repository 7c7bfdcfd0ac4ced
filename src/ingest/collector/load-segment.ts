import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Engine } from '../../engines/engine.js';

/**
 * Stores one closed log segment (docs/decisions/0005) in one transaction: events, identifies,
 * groups and aliases deduplicated on (project, message id) within the segment and against the
 * last `dedupeDays` of stored records, rejected messages into failed_events, the touched local
 * days marked dirty for the rollup. A segment already stored (same content) is skipped, so a
 * replay after a crash changes nothing.
 */
export interface LoadReport {
  skipped: boolean;
  records: number;
  events: number;
  duplicates: number;
  identifies: number;
  groups: number;
  aliases: number;
  failed: number;
}

const COLUMNS = `{kind: 'VARCHAR', project_id: 'VARCHAR', message_id: 'VARCHAR',
  timestamp: 'VARCHAR', timestamp_flag: 'VARCHAR', received_at: 'VARCHAR', source: 'VARCHAR',
  user_id: 'VARCHAR', anonymous_id: 'VARCHAR', account_id: 'VARCHAR', event: 'VARCHAR',
  properties: 'JSON', traits: 'JSON', previous_id: 'VARCHAR', reason: 'VARCHAR', raw: 'VARCHAR'}`;

/** First copy of each (project, message id) of a kind, not already stored since $since. */
function fresh(kind: string, table: string): string {
  return `SELECT * FROM (
      SELECT *, row_number() OVER (PARTITION BY project_id, message_id ORDER BY received_at) AS rn
      FROM stage WHERE kind = '${kind}') s
    WHERE rn = 1 AND NOT EXISTS (
      SELECT 1 FROM ${table} t WHERE t.project_id = s.project_id AND t.message_id = s.message_id
        AND t.received_at >= CAST($since AS TIMESTAMPTZ))`;
}

export interface LoadOptions {
  dedupeDays?: number;
  now?: Date;
}

export function emptyLoadReport(skipped = false): LoadReport {
  const none = { records: 0, events: 0, duplicates: 0, identifies: 0, groups: 0, aliases: 0 };
  return { skipped, ...none, failed: 0 };
}

/** The earliest receive time a message id is looked up from (ISO text). */
export function dedupeSince(options: LoadOptions): string {
  const now = options.now ?? new Date();
  return new Date(now.getTime() - (options.dedupeDays ?? 8) * 86_400_000).toISOString();
}

/** A segment's bytes and their SHA-256, by which a load is recorded and recognised. */
export async function readSegment(path: string): Promise<{ content: Buffer; sha: string }> {
  const content = await readFile(path);
  return { content, sha: createHash('sha256').update(content).digest('hex') };
}

export async function loadSegment(
  engine: Engine,
  path: string,
  options: LoadOptions = {},
): Promise<LoadReport> {
  const { content, sha } = await readSegment(path);
  const since = dedupeSince(options);
  const report = emptyLoadReport();
  return engine.transaction(async () => {
    const [done] = await engine.query<{ n: number }>(
      'SELECT count(*) AS n FROM collector_loads WHERE segment_sha256 = $sha',
      { sha },
    );
    if ((done?.n ?? 0) > 0 || content.length === 0) return { ...report, skipped: true };
    await engine.run(
      `CREATE OR REPLACE TEMP TABLE stage AS
       SELECT * FROM read_json($path, format = 'newline_delimited', columns = ${COLUMNS})`,
      { path },
    );
    const p = { since };
    const [counts] = await engine.query<{ n: number; events: number }>(
      "SELECT count(*) AS n, count(*) FILTER (WHERE kind = 'event') AS events FROM stage",
    );
    report.records = counts?.n ?? 0;
    report.events = await engine.run(
      `INSERT INTO events (project_id, message_id, timestamp, user_id, anonymous_id, account_id,
         event, properties, received_at, source, batch_id, timestamp_flag)
       SELECT project_id, message_id, CAST(timestamp AS TIMESTAMPTZ), user_id, anonymous_id,
         account_id, event, properties, CAST(received_at AS TIMESTAMPTZ), source,
         'collector:' || $sha, timestamp_flag
       FROM (${fresh('event', 'events')})`,
      { ...p, sha },
    );
    report.duplicates = (counts?.events ?? 0) - report.events;
    report.identifies = await engine.run(
      `INSERT INTO identifies (project_id, message_id, timestamp, user_id, anonymous_id, traits,
         received_at, source)
       SELECT project_id, message_id, CAST(timestamp AS TIMESTAMPTZ), user_id, anonymous_id,
         traits, CAST(received_at AS TIMESTAMPTZ), source
       FROM (${fresh('identify', 'identifies')})`,
      p,
    );
    report.groups = await engine.run(
      `INSERT INTO group_memberships (project_id, message_id, timestamp, user_id, account_id,
         traits, received_at, source, anonymous_id)
       SELECT project_id, message_id, CAST(timestamp AS TIMESTAMPTZ), user_id, account_id,
         traits, CAST(received_at AS TIMESTAMPTZ), source, anonymous_id
       FROM (${fresh('group', 'group_memberships')})`,
      p,
    );
    report.aliases = await engine.run(
      `INSERT INTO aliases (project_id, message_id, timestamp, user_id, previous_id, received_at,
         source)
       SELECT project_id, message_id, CAST(timestamp AS TIMESTAMPTZ), user_id, previous_id,
         CAST(received_at AS TIMESTAMPTZ), source
       FROM (${fresh('alias', 'aliases')})`,
      p,
    );
    report.failed = await engine.run(
      `INSERT INTO failed_events (project_id, source, source_line, reason, raw, failed_at)
       SELECT project_id, source, NULL, reason, raw, CAST(received_at AS TIMESTAMPTZ)
       FROM stage WHERE kind = 'failed'`,
    );
    // Every local day the segment's events fall on, in each project's own time zone; identifies
    // and aliases mark theirs too, because a new link between ids calls for a refresh that
    // recounts the linked id's days (src/rollup/resolve-identities.ts).
    await engine.run(
      `INSERT OR IGNORE INTO rollup_dirty_days (project_id, day)
       SELECT DISTINCT s.project_id, CAST(timezone(p.time_zone, CAST(s.timestamp AS TIMESTAMPTZ)) AS DATE)
       FROM stage s JOIN projects p USING (project_id)
       WHERE s.kind = 'event' OR (s.kind = 'identify' AND s.anonymous_id IS NOT NULL
         AND s.user_id IS NOT NULL) OR s.kind = 'alias'`,
    );
    await engine.run('INSERT INTO collector_loads (segment_sha256, records) VALUES ($sha, $n)', {
      sha,
      n: report.records,
    });
    await engine.run('DROP TABLE stage');
    return report;
  });
}
