/**
 * The ClickHouse schema: the same tables as the DuckDB migrations, for one server or a cluster
 * (`--cluster NAME`). Events are a ReplacingMergeTree partitioned by month and ordered for per-user
 * scans (project, user, time, message id): writers deduplicate before inserting (the collector's
 * loader, the importer) so reports never need FINAL, and the engine collapses any copy that still
 * gets through (a retry racing a load) at merge time. On a cluster every table is replicated and
 * sharded by (project, user) behind a Distributed table of the plain name, so queries read the
 * same names either way.
 */
export interface SchemaOptions {
  /** The database the tables live in. */
  database: string;
  /** A cluster name from the server's remote_servers: ON CLUSTER DDL, replicated tables. */
  cluster?: string | undefined;
}

interface Table {
  name: string;
  columns: string;
  /** MergeTree family without the Replicated prefix, e.g. 'ReplacingMergeTree(received_at)'. */
  engine: string;
  orderBy: string;
  partitionBy?: string;
  /** Sharding key on a cluster; small tables are not sharded (rand() spreads nothing). */
  shardBy?: string;
}

const TABLES: Table[] = [
  {
    name: 'schema_migrations',
    columns: "version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)",
    engine: 'MergeTree',
    orderBy: 'version',
  },
  {
    name: 'projects',
    columns: `project_id String, name String, time_zone String DEFAULT 'UTC',
    created_at DateTime64(3, 'UTC') DEFAULT now64(3)`,
    engine: 'ReplacingMergeTree(created_at)',
    orderBy: 'project_id',
  },
  {
    name: 'events',
    columns: `project_id String, message_id String, timestamp DateTime64(3, 'UTC'),
    user_id Nullable(String), anonymous_id Nullable(String), account_id Nullable(String),
    event LowCardinality(String), properties String, received_at DateTime64(3, 'UTC'),
    source LowCardinality(String), batch_id String, timestamp_flag LowCardinality(Nullable(String))`,
    engine: 'ReplacingMergeTree(received_at)',
    orderBy: "(project_id, ifNull(user_id, ''), timestamp, message_id)",
    partitionBy: 'toYYYYMM(timestamp)',
    shardBy: "cityHash64(project_id, ifNull(user_id, ifNull(anonymous_id, '')))",
  },
  {
    name: 'identifies',
    columns: `project_id String, message_id String, timestamp DateTime64(3, 'UTC'),
    user_id Nullable(String), anonymous_id Nullable(String), traits String,
    received_at DateTime64(3, 'UTC'), source LowCardinality(String)`,
    engine: 'ReplacingMergeTree(received_at)',
    orderBy: "(project_id, ifNull(user_id, ''), timestamp, message_id)",
  },
  {
    name: 'group_memberships',
    columns: `project_id String, message_id String, timestamp DateTime64(3, 'UTC'),
    user_id Nullable(String), anonymous_id Nullable(String), account_id String, traits String,
    received_at DateTime64(3, 'UTC'), source LowCardinality(String)`,
    engine: 'ReplacingMergeTree(received_at)',
    orderBy: '(project_id, account_id, timestamp, message_id)',
  },
  {
    name: 'aliases',
    columns: `project_id String, message_id String, timestamp DateTime64(3, 'UTC'),
    user_id String, previous_id String, received_at DateTime64(3, 'UTC'),
    source LowCardinality(String)`,
    engine: 'ReplacingMergeTree(received_at)',
    orderBy: '(project_id, previous_id, message_id)',
  },
  {
    name: 'failed_events',
    columns: `project_id String, source String, source_line Nullable(Int64), reason String,
    raw Nullable(String), failed_at DateTime64(3, 'UTC') DEFAULT now64(3),
    failed_id String DEFAULT toString(generateUUIDv4()),
    resolved_at Nullable(DateTime64(3, 'UTC'))`,
    engine: 'MergeTree',
    orderBy: '(project_id, failed_at, failed_id)',
  },
  {
    name: 'user_day',
    columns: `project_id String, user_id String, anonymous Bool, account_id String, day Date,
    events Int64, sessions Int32, active_seconds Int64, first_seen DateTime64(3, 'UTC'),
    last_seen DateTime64(3, 'UTC'), session_seconds Array(Int32)`,
    engine: 'MergeTree',
    orderBy: '(project_id, user_id, day, account_id)',
    partitionBy: 'toYYYYMM(day)',
    shardBy: 'cityHash64(project_id, user_id)',
  },
  {
    name: 'user_day_event',
    columns: `project_id String, user_id String, anonymous Bool, account_id String, day Date,
    event LowCardinality(String), events Int64`,
    engine: 'MergeTree',
    orderBy: '(project_id, user_id, day, event, account_id)',
    partitionBy: 'toYYYYMM(day)',
    shardBy: 'cityHash64(project_id, user_id)',
  },
  {
    name: 'user_day_feature',
    columns: `project_id String, user_id String, anonymous Bool, account_id String, day Date,
    feature LowCardinality(String), events Int64`,
    engine: 'MergeTree',
    orderBy: '(project_id, user_id, day, feature, account_id)',
    partitionBy: 'toYYYYMM(day)',
    shardBy: 'cityHash64(project_id, user_id)',
  },
  {
    name: 'rollup_dirty_days',
    columns: 'project_id String, day Date',
    engine: 'ReplacingMergeTree',
    orderBy: '(project_id, day)',
  },
  {
    name: 'rollup_state',
    columns: `project_id String, time_zone String, session_gap_seconds Int32,
    refreshed_at DateTime64(3, 'UTC'), rollup_version Int32 DEFAULT 1, features_hash String DEFAULT ''`,
    engine: 'ReplacingMergeTree(refreshed_at)',
    orderBy: 'project_id',
  },
  {
    name: 'report_cache',
    columns: `project_id String, cache_key String, created_at DateTime64(3, 'UTC') DEFAULT now64(3),
    report String`,
    engine: 'ReplacingMergeTree(created_at)',
    orderBy: '(project_id, cache_key)',
  },
  {
    name: 'api_keys',
    columns: `key_id String, project_id String, scope LowCardinality(String), key_hash String,
    created_at DateTime64(3, 'UTC') DEFAULT now64(3), revoked_at Nullable(DateTime64(3, 'UTC'))`,
    engine: 'ReplacingMergeTree(created_at)',
    orderBy: 'key_id',
  },
  {
    name: 'collector_loads',
    columns: `segment_sha256 String, records Int64, loaded_at DateTime64(3, 'UTC') DEFAULT now64(3)`,
    engine: 'ReplacingMergeTree(loaded_at)',
    orderBy: 'segment_sha256',
  },
  {
    name: 'identity_links',
    columns: `project_id String, alias_id String, target_id String, linked_at DateTime64(3, 'UTC')`,
    engine: 'MergeTree',
    orderBy: '(project_id, alias_id)',
  },
  {
    name: 'user_snapshots',
    columns: `project_id String, definition String, period LowCardinality(String),
    period_start Date, as_of Date, user_id String, account_id String, is_power_user Bool,
    score Int32, criteria_met Int32, criteria_total Int32, days_active Int32, events Int64,
    trend Nullable(Float64), days_since_last_seen Int32, segments String, window_start Nullable(Date),
    first_seen Nullable(Date), days_active_7 Nullable(Int32), baseline_days_active Nullable(Int32),
    baseline_days Nullable(Int32), events_7 Nullable(Int64), baseline_events Nullable(Int64),
    attainment Nullable(Float64)`,
    engine: 'MergeTree',
    orderBy: '(project_id, definition, period, period_start, user_id)',
    partitionBy: 'toYYYYMM(period_start)',
    shardBy: 'cityHash64(project_id, user_id)',
  },
  {
    name: 'identity_map',
    columns: 'project_id String, alias_id String, user_id String',
    engine: 'MergeTree',
    orderBy: '(project_id, alias_id)',
  },
];

/** A ClickHouse identifier, back-quoted. */
const q = (name: string) => `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
/** A ClickHouse string literal (only for names the operator chose, never for user data). */
const lit = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The DDL that creates every table, in order; safe to run again (IF NOT EXISTS). */
export function clickhouseSchema(options: SchemaOptions): string[] {
  const db = q(options.database);
  const cluster = options.cluster;
  const on = cluster ? ` ON CLUSTER ${q(cluster)}` : '';
  const out = [`CREATE DATABASE IF NOT EXISTS ${db}${on}`];
  for (const t of TABLES) {
    const partition = t.partitionBy ? `\nPARTITION BY ${t.partitionBy}` : '';
    if (!cluster) {
      out.push(
        `CREATE TABLE IF NOT EXISTS ${db}.${q(t.name)} (\n    ${t.columns}\n) ENGINE = ${t.engine}${partition}\nORDER BY ${t.orderBy}`,
      );
      continue;
    }
    // Replicated local table per shard; the plain name is the Distributed table over them.
    const [family, args = ''] = t.engine.split(/\((.*)\)/);
    const path = lit(`/clickhouse/tables/{shard}/{database}/${t.name}`);
    const replicated = `Replicated${family}(${[path, "'{replica}'", args].filter(Boolean).join(', ')})`;
    out.push(
      `CREATE TABLE IF NOT EXISTS ${db}.${q(`${t.name}_local`)}${on} (\n    ${t.columns}\n) ENGINE = ${replicated}${partition}\nORDER BY ${t.orderBy}`,
      `CREATE TABLE IF NOT EXISTS ${db}.${q(t.name)}${on} AS ${db}.${q(`${t.name}_local`)}\nENGINE = Distributed(${lit(cluster)}, ${lit(options.database)}, ${lit(`${t.name}_local`)}, ${t.shardBy ?? '0'})`,
    );
  }
  return out;
}

/**
 * The schema's version: a new database starts from today's schema (clickhouseSchema), one made
 * at an older version is brought to it by the upgrades after its version.
 */
export const SCHEMA_VERSION = 3;

/**
 * Columns added to a table since version 2 (and columns whose type changed), each with the
 * version that did it.
 */
const CHANGES: { version: number; table: string; columns: string[]; modified?: string[] }[] = [
  {
    // What at risk and emerging read, and the window's first day (docs/lifecycle.md); NULL on
    // rows stored before, until a backfill stores them again.
    version: 3,
    table: 'user_snapshots',
    columns: [
      'window_start Nullable(Date)',
      'first_seen Nullable(Date)',
      'days_active_7 Nullable(Int32)',
      'baseline_days_active Nullable(Int32)',
      'baseline_days Nullable(Int32)',
      'events_7 Nullable(Int64)',
      'baseline_events Nullable(Int64)',
      'attainment Nullable(Float64)',
    ],
    // A user with no earlier window has no trend (null, "n/a"), not +100.
    modified: ['trend Nullable(Float64)'],
  },
];

/**
 * The DDL that brings a database made at version `from` (2 or later) to SCHEMA_VERSION; safe to
 * run again (IF NOT EXISTS). On a cluster, the local tables and the Distributed tables over them.
 */
export function clickhouseUpgrade(options: SchemaOptions, from: number): string[] {
  const db = q(options.database);
  const cluster = options.cluster;
  const on = cluster ? ` ON CLUSTER ${q(cluster)}` : '';
  const out: string[] = [];
  for (const added of CHANGES.filter((a) => a.version > from)) {
    const add = [
      ...added.columns.map((c) => `ADD COLUMN IF NOT EXISTS ${c}`),
      ...(added.modified ?? []).map((c) => `MODIFY COLUMN ${c}`),
    ].join(', ');
    const names = cluster ? [`${added.table}_local`, added.table] : [added.table];
    for (const name of names) out.push(`ALTER TABLE ${db}.${q(name)}${on} ${add}`);
  }
  return out;
}

/** Every table name, for tests and for `powerlens migrate` to report. */
export const CLICKHOUSE_TABLES = TABLES.map((t) => t.name);
