CREATE DATABASE IF NOT EXISTS `analytics` ON CLUSTER `prod_cluster`;

CREATE TABLE IF NOT EXISTS `analytics`.`schema_migrations_local` ON CLUSTER `prod_cluster` (
    version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/schema_migrations', '{replica}')
ORDER BY version;

CREATE TABLE IF NOT EXISTS `analytics`.`schema_migrations` ON CLUSTER `prod_cluster` AS `analytics`.`schema_migrations_local`
ENGINE = Distributed('prod_cluster', 'analytics', 'schema_migrations_local', 0);

CREATE TABLE IF NOT EXISTS `analytics`.`projects_local` ON CLUSTER `prod_cluster` (
    project_id String, name String, time_zone String DEFAULT 'UTC',
    created_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/projects', '{replica}', created_at)
ORDER BY project_id;

CREATE TABLE IF NOT EXISTS `analytics`.`projects` ON CLUSTER `prod_cluster` AS `analytics`.`projects_local`
ENGINE = Distributed('prod_cluster', 'analytics', 'projects_local', 0);

CREATE TABLE IF NOT EXISTS `analytics`.`events_local` ON CLUSTER `prod_cluster` (
    project_id String, message_id String, timestamp DateTime64(3, 'UTC'),
    user_id Nullable(String), anonymous_id Nullable(String), account_id Nullable(String),
    event LowCardinality(String), properties String, received_at DateTime64(3, 'UTC'),
    source LowCardinality(String), batch_id String, timestamp_flag LowCardinality(Nullable(String))
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/events', '{replica}', received_at)
PARTITION BY toYYYYMM(timestamp)
ORDER BY (project_id, ifNull(user_id, ''), timestamp, message_id);

CREATE TABLE IF NOT EXISTS `analytics`.`events` ON CLUSTER `prod_cluster` AS `analytics`.`events_local`
ENGINE = Distributed('prod_cluster', 'analytics', 'events_local', cityHash64(project_id, ifNull(user_id, ifNull(anonymous_id, ''))));

CREATE TABLE IF NOT EXISTS `analytics`.`identifies_local` ON CLUSTER `prod_cluster` (
    project_id String, message_id String, timestamp DateTime64(3, 'UTC'),
    user_id Nullable(String), anonymous_id Nullable(String), traits String,
    received_at DateTime64(3, 'UTC'), source LowCardinality(String)
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/identifies', '{replica}', received_at)
ORDER BY (project_id, ifNull(user_id, ''), timestamp, message_id);

CREATE TABLE IF NOT EXISTS `analytics`.`identifies` ON CLUSTER `prod_cluster` AS `analytics`.`identifies_local`
ENGINE = Distributed('prod_cluster', 'analytics', 'identifies_local', 0);

CREATE TABLE IF NOT EXISTS `analytics`.`group_memberships_local` ON CLUSTER `prod_cluster` (
    project_id String, message_id String, timestamp DateTime64(3, 'UTC'),
    user_id Nullable(String), anonymous_id Nullable(String), account_id String, traits String,
    received_at DateTime64(3, 'UTC'), source LowCardinality(String)
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/group_memberships', '{replica}', received_at)
ORDER BY (project_id, account_id, timestamp, message_id);

CREATE TABLE IF NOT EXISTS `analytics`.`group_memberships` ON CLUSTER `prod_cluster` AS `analytics`.`group_memberships_local`
ENGINE = Distributed('prod_cluster', 'analytics', 'group_memberships_local', 0);

CREATE TABLE IF NOT EXISTS `analytics`.`aliases_local` ON CLUSTER `prod_cluster` (
    project_id String, message_id String, timestamp DateTime64(3, 'UTC'),
    user_id String, previous_id String, received_at DateTime64(3, 'UTC'),
    source LowCardinality(String)
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/aliases', '{replica}', received_at)
ORDER BY (project_id, previous_id, message_id);

CREATE TABLE IF NOT EXISTS `analytics`.`aliases` ON CLUSTER `prod_cluster` AS `analytics`.`aliases_local`
ENGINE = Distributed('prod_cluster', 'analytics', 'aliases_local', 0);

CREATE TABLE IF NOT EXISTS `analytics`.`failed_events_local` ON CLUSTER `prod_cluster` (
    project_id String, source String, source_line Nullable(Int64), reason String,
    raw Nullable(String), failed_at DateTime64(3, 'UTC') DEFAULT now64(3),
    failed_id String DEFAULT toString(generateUUIDv4()),
    resolved_at Nullable(DateTime64(3, 'UTC'))
) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/failed_events', '{replica}')
ORDER BY (project_id, failed_at, failed_id);

CREATE TABLE IF NOT EXISTS `analytics`.`failed_events` ON CLUSTER `prod_cluster` AS `analytics`.`failed_events_local`
ENGINE = Distributed('prod_cluster', 'analytics', 'failed_events_local', 0);

CREATE TABLE IF NOT EXISTS `analytics`.`user_day_local` ON CLUSTER `prod_cluster` (
    project_id String, user_id String, anonymous Bool, account_id String, day Date,
    events Int64, sessions Int32, active_seconds Int64, first_seen DateTime64(3, 'UTC'),
    last_seen DateTime64(3, 'UTC'), session_seconds Array(Int32)
) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/user_day', '{replica}')
PARTITION BY toYYYYMM(day)
ORDER BY (project_id, user_id, day, account_id);

CREATE TABLE IF NOT EXISTS `analytics`.`user_day` ON CLUSTER `prod_cluster` AS `analytics`.`user_day_local`
ENGINE = Distributed('prod_cluster', 'analytics', 'user_day_local', cityHash64(project_id, user_id));

CREATE TABLE IF NOT EXISTS `analytics`.`user_day_event_local` ON CLUSTER `prod_cluster` (
    project_id String, user_id String, anonymous Bool, account_id String, day Date,
    event LowCardinality(String), events Int64
) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/user_day_event', '{replica}')
PARTITION BY toYYYYMM(day)
ORDER BY (project_id, user_id, day, event, account_id);

CREATE TABLE IF NOT EXISTS `analytics`.`user_day_event` ON CLUSTER `prod_cluster` AS `analytics`.`user_day_event_local`
ENGINE = Distributed('prod_cluster', 'analytics', 'user_day_event_local', cityHash64(project_id, user_id));

CREATE TABLE IF NOT EXISTS `analytics`.`user_day_feature_local` ON CLUSTER `prod_cluster` (
    project_id String, user_id String, anonymous Bool, account_id String, day Date,
    feature LowCardinality(String), events Int64
) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/user_day_feature', '{replica}')
PARTITION BY toYYYYMM(day)
ORDER BY (project_id, user_id, day, feature, account_id);

CREATE TABLE IF NOT EXISTS `analytics`.`user_day_feature` ON CLUSTER `prod_cluster` AS `analytics`.`user_day_feature_local`
ENGINE = Distributed('prod_cluster', 'analytics', 'user_day_feature_local', cityHash64(project_id, user_id));

CREATE TABLE IF NOT EXISTS `analytics`.`rollup_dirty_days_local` ON CLUSTER `prod_cluster` (
    project_id String, day Date
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/rollup_dirty_days', '{replica}')
ORDER BY (project_id, day);

CREATE TABLE IF NOT EXISTS `analytics`.`rollup_dirty_days` ON CLUSTER `prod_cluster` AS `analytics`.`rollup_dirty_days_local`
ENGINE = Distributed('prod_cluster', 'analytics', 'rollup_dirty_days_local', 0);

CREATE TABLE IF NOT EXISTS `analytics`.`rollup_state_local` ON CLUSTER `prod_cluster` (
    project_id String, time_zone String, session_gap_seconds Int32,
    refreshed_at DateTime64(3, 'UTC'), rollup_version Int32 DEFAULT 1, features_hash String DEFAULT ''
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/rollup_state', '{replica}', refreshed_at)
ORDER BY project_id;

CREATE TABLE IF NOT EXISTS `analytics`.`rollup_state` ON CLUSTER `prod_cluster` AS `analytics`.`rollup_state_local`
ENGINE = Distributed('prod_cluster', 'analytics', 'rollup_state_local', 0);

CREATE TABLE IF NOT EXISTS `analytics`.`report_cache_local` ON CLUSTER `prod_cluster` (
    project_id String, cache_key String, created_at DateTime64(3, 'UTC') DEFAULT now64(3),
    report String
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/report_cache', '{replica}', created_at)
ORDER BY (project_id, cache_key);

CREATE TABLE IF NOT EXISTS `analytics`.`report_cache` ON CLUSTER `prod_cluster` AS `analytics`.`report_cache_local`
ENGINE = Distributed('prod_cluster', 'analytics', 'report_cache_local', 0);

CREATE TABLE IF NOT EXISTS `analytics`.`api_keys_local` ON CLUSTER `prod_cluster` (
    key_id String, project_id String, scope LowCardinality(String), key_hash String,
    created_at DateTime64(3, 'UTC') DEFAULT now64(3), revoked_at Nullable(DateTime64(3, 'UTC'))
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/api_keys', '{replica}', created_at)
ORDER BY key_id;

CREATE TABLE IF NOT EXISTS `analytics`.`api_keys` ON CLUSTER `prod_cluster` AS `analytics`.`api_keys_local`
ENGINE = Distributed('prod_cluster', 'analytics', 'api_keys_local', 0);

CREATE TABLE IF NOT EXISTS `analytics`.`collector_loads_local` ON CLUSTER `prod_cluster` (
    segment_sha256 String, records Int64, loaded_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/collector_loads', '{replica}', loaded_at)
ORDER BY segment_sha256;

CREATE TABLE IF NOT EXISTS `analytics`.`collector_loads` ON CLUSTER `prod_cluster` AS `analytics`.`collector_loads_local`
ENGINE = Distributed('prod_cluster', 'analytics', 'collector_loads_local', 0);

CREATE TABLE IF NOT EXISTS `analytics`.`identity_links_local` ON CLUSTER `prod_cluster` (
    project_id String, alias_id String, target_id String, linked_at DateTime64(3, 'UTC')
) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/identity_links', '{replica}')
ORDER BY (project_id, alias_id);

CREATE TABLE IF NOT EXISTS `analytics`.`identity_links` ON CLUSTER `prod_cluster` AS `analytics`.`identity_links_local`
ENGINE = Distributed('prod_cluster', 'analytics', 'identity_links_local', 0);

CREATE TABLE IF NOT EXISTS `analytics`.`user_snapshots_local` ON CLUSTER `prod_cluster` (
    project_id String, definition String, period LowCardinality(String),
    period_start Date, as_of Date, user_id String, account_id String, is_power_user Bool,
    score Int32, criteria_met Int32, criteria_total Int32, days_active Int32, events Int64,
    trend Nullable(Float64), days_since_last_seen Int32, segments String, window_start Nullable(Date),
    first_seen Nullable(Date), days_active_7 Nullable(Int32), baseline_days_active Nullable(Int32),
    baseline_days Nullable(Int32), events_7 Nullable(Int64), baseline_events Nullable(Int64),
    attainment Nullable(Float64)
) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/user_snapshots', '{replica}')
PARTITION BY toYYYYMM(period_start)
ORDER BY (project_id, definition, period, period_start, user_id);

CREATE TABLE IF NOT EXISTS `analytics`.`user_snapshots` ON CLUSTER `prod_cluster` AS `analytics`.`user_snapshots_local`
ENGINE = Distributed('prod_cluster', 'analytics', 'user_snapshots_local', cityHash64(project_id, user_id));

CREATE TABLE IF NOT EXISTS `analytics`.`identity_map_local` ON CLUSTER `prod_cluster` (
    project_id String, alias_id String, user_id String
) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/identity_map', '{replica}')
ORDER BY (project_id, alias_id);

CREATE TABLE IF NOT EXISTS `analytics`.`identity_map` ON CLUSTER `prod_cluster` AS `analytics`.`identity_map_local`
ENGINE = Distributed('prod_cluster', 'analytics', 'identity_map_local', 0);
