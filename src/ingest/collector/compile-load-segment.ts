import type { Dialect } from '../../dialect/dialect.js';
import type { SqlParams } from '../../dialect/sql-value.js';

/**
 * The statements of loadSegment (load-segment.ts), in the order it runs them in one transaction:
 * a closed log segment read with DuckDB's NDJSON reader into a scratch table `stage`, each kind of
 * record appended without the message ids already stored, rejected messages into failed_events,
 * the local days touched marked dirty, the segment recorded by its hash. DuckDB only (read_json);
 * ClickHouse gets segments through a staging DuckDB (load-segment-into-clickhouse.ts), and only
 * the check whether a segment was loaded is written for either engine.
 */

type Statement = { sql: string; params: SqlParams };

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

/** Whether a segment of this SHA-256 was loaded already (on any engine): `n`. */
export function compileSegmentLoaded(d: Dialect, sha: string): Statement {
  return {
    sql: `SELECT count(*) AS n FROM collector_loads WHERE segment_sha256 = ${d.param('sha', 'String')}`,
    params: { sha },
  };
}

export interface SegmentStatements {
  /** The segment's records into the scratch table `stage`. */
  stage: Statement;
  /** Records in the segment (`n`) and events among them (`events`). */
  countStaged: Statement;
  /** The events, identifies, groups and aliases not stored yet; each run returns its count. */
  insertEvents: Statement;
  insertIdentifies: Statement;
  insertGroups: Statement;
  insertAliases: Statement;
  /** Rejected messages, kept with their reason. */
  insertFailed: Statement;
  /**
   * Every local day the segment's events fall on, in each project's own time zone; identifies
   * and aliases mark theirs too, because a new link between ids calls for a refresh that
   * recounts the linked id's days (src/rollup/resolve-identities.ts).
   */
  markDirtyDays: Statement;
  /** The segment, recorded as loaded with its number of records. */
  recordLoad: (records: number) => Statement;
  dropStage: Statement;
}

/**
 * The statements that load one segment file. `since` is the earliest receive time (ISO) a
 * message id is looked up from; `sha` names the segment.
 */
export function compileLoadSegment(input: {
  path: string;
  sha: string;
  since: string;
}): SegmentStatements {
  const since = { since: input.since };
  return {
    stage: {
      sql: `CREATE OR REPLACE TEMP TABLE stage AS
       SELECT * FROM read_json($path, format = 'newline_delimited', columns = ${COLUMNS})`,
      params: { path: input.path },
    },
    countStaged: {
      sql: "SELECT count(*) AS n, count(*) FILTER (WHERE kind = 'event') AS events FROM stage",
      params: {},
    },
    insertEvents: {
      sql: `INSERT INTO events (project_id, message_id, timestamp, user_id, anonymous_id, account_id,
         event, properties, received_at, source, batch_id, timestamp_flag)
       SELECT project_id, message_id, CAST(timestamp AS TIMESTAMPTZ), user_id, anonymous_id,
         account_id, event, properties, CAST(received_at AS TIMESTAMPTZ), source,
         'collector:' || $sha, timestamp_flag
       FROM (${fresh('event', 'events')})`,
      params: { ...since, sha: input.sha },
    },
    insertIdentifies: {
      sql: `INSERT INTO identifies (project_id, message_id, timestamp, user_id, anonymous_id, traits,
         received_at, source)
       SELECT project_id, message_id, CAST(timestamp AS TIMESTAMPTZ), user_id, anonymous_id,
         traits, CAST(received_at AS TIMESTAMPTZ), source
       FROM (${fresh('identify', 'identifies')})`,
      params: since,
    },
    insertGroups: {
      sql: `INSERT INTO group_memberships (project_id, message_id, timestamp, user_id, account_id,
         traits, received_at, source, anonymous_id)
       SELECT project_id, message_id, CAST(timestamp AS TIMESTAMPTZ), user_id, account_id,
         traits, CAST(received_at AS TIMESTAMPTZ), source, anonymous_id
       FROM (${fresh('group', 'group_memberships')})`,
      params: since,
    },
    insertAliases: {
      sql: `INSERT INTO aliases (project_id, message_id, timestamp, user_id, previous_id, received_at,
         source)
       SELECT project_id, message_id, CAST(timestamp AS TIMESTAMPTZ), user_id, previous_id,
         CAST(received_at AS TIMESTAMPTZ), source
       FROM (${fresh('alias', 'aliases')})`,
      params: since,
    },
    insertFailed: {
      sql: `INSERT INTO failed_events (project_id, source, source_line, reason, raw, failed_at)
       SELECT project_id, source, NULL, reason, raw, CAST(received_at AS TIMESTAMPTZ)
       FROM stage WHERE kind = 'failed'`,
      params: {},
    },
    markDirtyDays: {
      sql: `INSERT OR IGNORE INTO rollup_dirty_days (project_id, day)
       SELECT DISTINCT s.project_id, CAST(timezone(p.time_zone, CAST(s.timestamp AS TIMESTAMPTZ)) AS DATE)
       FROM stage s JOIN projects p USING (project_id)
       WHERE s.kind = 'event' OR (s.kind = 'identify' AND s.anonymous_id IS NOT NULL
         AND s.user_id IS NOT NULL) OR s.kind = 'alias'`,
      params: {},
    },
    recordLoad: (records) => ({
      sql: 'INSERT INTO collector_loads (segment_sha256, records) VALUES ($sha, $n)',
      params: { sha: input.sha, n: records },
    }),
    dropStage: { sql: 'DROP TABLE stage', params: {} },
  };
}
