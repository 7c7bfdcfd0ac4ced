CREATE DATABASE IF NOT EXISTS `powerlens`;

CREATE TABLE IF NOT EXISTS `powerlens`.`schema_migrations` (
    version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = MergeTree
ORDER BY version;

CREATE TABLE IF NOT EXISTS `powerlens`.`projects` (
    project_id String, name String, time_zone String DEFAULT 'UTC',
    created_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(created_at)
ORDER BY project_id;

CREATE TABLE IF NOT EXISTS `powerlens`.`events` (
    project_id String, message_id String, timestamp DateTime64(3, 'UTC'),
    user_id Nullable(String), anonymous_id Nullable(String), account_id Nullable(String),
    event LowCardinality(String), properties String, received_at DateTime64(3, 'UTC'),
    source LowCardinality(String), batch_id String, timestamp_flag LowCardinality(Nullable(String))
) ENGINE = ReplacingMergeTree(received_at)
PARTITION BY toYYYYMM(timestamp)
ORDER BY (project_id, ifNull(user_id, ''), timestamp, message_id);

CREATE TABLE IF NOT EXISTS `powerlens`.`identifies` (
    project_id String, message_id String, timestamp DateTime64(3, 'UTC'),
    user_id Nullable(String), anonymous_id Nullable(String), traits String,
    received_at DateTime64(3, 'UTC'), source LowCardinality(String)
) ENGINE = ReplacingMergeTree(received_at)
ORDER BY (project_id, ifNull(user_id, ''), timestamp, message_id);

CREATE TABLE IF NOT EXISTS `powerlens`.`group_memberships` (
    project_id String, message_id String, timestamp DateTime64(3, 'UTC'),
    user_id Nullable(String), anonymous_id Nullable(String), account_id String, traits String,
    received_at DateTime64(3, 'UTC'), source LowCardinality(String)
) ENGINE = ReplacingMergeTree(received_at)
ORDER BY (project_id, account_id, timestamp, message_id);

CREATE TABLE IF NOT EXISTS `powerlens`.`aliases` (
    project_id String, message_id String, timestamp DateTime64(3, 'UTC'),
    user_id String, previous_id String, received_at DateTime64(3, 'UTC'),
    source LowCardinality(String)
) ENGINE = ReplacingMergeTree(received_at)
ORDER BY (project_id, previous_id, message_id);

CREATE TABLE IF NOT EXISTS `powerlens`.`failed_events` (
    project_id String, source String, source_line Nullable(Int64), reason String,
    raw Nullable(String), failed_at DateTime64(3, 'UTC') DEFAULT now64(3),
    failed_id String DEFAULT toString(generateUUIDv4()),
    resolved_at Nullable(DateTime64(3, 'UTC'))
) ENGINE = MergeTree
ORDER BY (project_id, failed_at, failed_id);

CREATE TABLE IF NOT EXISTS `powerlens`.`user_day` (
    project_id String, user_id String, anonymous Bool, account_id String, day Date,
    events Int64, sessions Int32, active_seconds Int64, first_seen DateTime64(3, 'UTC'),
    last_seen DateTime64(3, 'UTC'), session_seconds Array(Int32)
) ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (project_id, user_id, day, account_id);

CREATE TABLE IF NOT EXISTS `powerlens`.`user_day_event` (
    project_id String, user_id String, anonymous Bool, account_id String, day Date,
    event LowCardinality(String), events Int64
) ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (project_id, user_id, day, event, account_id);

CREATE TABLE IF NOT EXISTS `powerlens`.`user_day_feature` (
    project_id String, user_id String, anonymous Bool, account_id String, day Date,
    feature LowCardinality(String), events Int64
) ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (project_id, user_id, day, feature, account_id);

CREATE TABLE IF NOT EXISTS `powerlens`.`rollup_dirty_days` (
    project_id String, day Date
) ENGINE = ReplacingMergeTree
ORDER BY (project_id, day);

CREATE TABLE IF NOT EXISTS `powerlens`.`rollup_state` (
    project_id String, time_zone String, session_gap_seconds Int32,
    refreshed_at DateTime64(3, 'UTC'), rollup_version Int32 DEFAULT 1, features_hash String DEFAULT ''
) ENGINE = ReplacingMergeTree(refreshed_at)
ORDER BY project_id;

CREATE TABLE IF NOT EXISTS `powerlens`.`report_cache` (
    project_id String, cache_key String, created_at DateTime64(3, 'UTC') DEFAULT now64(3),
    report String
) ENGINE = ReplacingMergeTree(created_at)
ORDER BY (project_id, cache_key);

CREATE TABLE IF NOT EXISTS `powerlens`.`api_keys` (
    key_id String, project_id String, scope LowCardinality(String), key_hash String,
    created_at DateTime64(3, 'UTC') DEFAULT now64(3), revoked_at Nullable(DateTime64(3, 'UTC'))
) ENGINE = ReplacingMergeTree(created_at)
ORDER BY key_id;

CREATE TABLE IF NOT EXISTS `powerlens`.`collector_loads` (
    segment_sha256 String, records Int64, loaded_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(loaded_at)
ORDER BY segment_sha256;

CREATE TABLE IF NOT EXISTS `powerlens`.`identity_links` (
    project_id String, alias_id String, target_id String, linked_at DateTime64(3, 'UTC')
) ENGINE = MergeTree
ORDER BY (project_id, alias_id);

CREATE TABLE IF NOT EXISTS `powerlens`.`user_snapshots` (
    project_id String, definition String, period LowCardinality(String),
    period_start Date, as_of Date, user_id String, account_id String, is_power_user Bool,
    score Int32, criteria_met Int32, criteria_total Int32, days_active Int32, events Int64,
    trend Nullable(Float64), days_since_last_seen Int32, segments String, window_start Nullable(Date),
    first_seen Nullable(Date), days_active_7 Nullable(Int32), baseline_days_active Nullable(Int32),
    baseline_days Nullable(Int32), events_7 Nullable(Int64), baseline_events Nullable(Int64),
    attainment Nullable(Float64)
) ENGINE = MergeTree
PARTITION BY toYYYYMM(period_start)
ORDER BY (project_id, definition, period, period_start, user_id);

CREATE TABLE IF NOT EXISTS `powerlens`.`identity_map` (
    project_id String, alias_id String, user_id String
) ENGINE = MergeTree
ORDER BY (project_id, alias_id);
