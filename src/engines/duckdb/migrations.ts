/**
 * Versioned schema for the DuckDB engine. A migration is never edited once released: add a new
 * one. Each runs in a transaction together with its row in schema_migrations.
 */
export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

export const DUCKDB_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'core_schema',
    statements: [
      `CREATE TABLE projects (
        project_id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        time_zone VARCHAR NOT NULL DEFAULT 'UTC',
        created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
      )`,
      `INSERT INTO projects (project_id, name) VALUES ('default', 'Default project')`,
      // No primary key: an ART index over 100M message ids costs more than the duplicate clean-up
      // every writer runs after appending (docs/decisions/0002-dedupe-without-a-primary-key.md).
      `CREATE TABLE events (
        project_id VARCHAR NOT NULL,
        message_id VARCHAR NOT NULL,
        timestamp TIMESTAMPTZ NOT NULL,
        user_id VARCHAR,
        anonymous_id VARCHAR,
        account_id VARCHAR,
        event VARCHAR NOT NULL,
        properties JSON,
        received_at TIMESTAMPTZ NOT NULL,
        source VARCHAR NOT NULL,
        -- The write (an import, later a collector flush) that stored the row: lets one write
        -- find, and undo, exactly its own rows.
        batch_id VARCHAR NOT NULL
      )`,
      `CREATE TABLE identifies (
        project_id VARCHAR NOT NULL,
        message_id VARCHAR NOT NULL,
        timestamp TIMESTAMPTZ NOT NULL,
        user_id VARCHAR,
        anonymous_id VARCHAR,
        traits JSON,
        received_at TIMESTAMPTZ NOT NULL,
        source VARCHAR NOT NULL
      )`,
      // A group record both sets account traits and says the user belongs to the account from
      // `timestamp` on; the membership history is the sequence of these rows per user.
      `CREATE TABLE group_memberships (
        project_id VARCHAR NOT NULL,
        message_id VARCHAR NOT NULL,
        timestamp TIMESTAMPTZ NOT NULL,
        user_id VARCHAR,
        account_id VARCHAR NOT NULL,
        traits JSON,
        received_at TIMESTAMPTZ NOT NULL,
        source VARCHAR NOT NULL
      )`,
      `CREATE TABLE failed_events (
        project_id VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        source_line BIGINT,
        reason VARCHAR NOT NULL,
        raw VARCHAR,
        failed_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
      )`,
      // `anonymous`: the row is keyed by an anonymous id (no user id yet). Kept for later alias
      // resolution, left out of every user count and ranking.
      `CREATE TABLE user_day (
        project_id VARCHAR NOT NULL,
        user_id VARCHAR NOT NULL,
        anonymous BOOLEAN NOT NULL,
        account_id VARCHAR NOT NULL,
        day DATE NOT NULL,
        events BIGINT NOT NULL,
        sessions INTEGER NOT NULL,
        active_seconds BIGINT NOT NULL,
        first_seen TIMESTAMPTZ NOT NULL,
        last_seen TIMESTAMPTZ NOT NULL
      )`,
      `CREATE TABLE user_day_event (
        project_id VARCHAR NOT NULL,
        user_id VARCHAR NOT NULL,
        anonymous BOOLEAN NOT NULL,
        account_id VARCHAR NOT NULL,
        day DATE NOT NULL,
        event VARCHAR NOT NULL,
        events BIGINT NOT NULL
      )`,
      `CREATE TABLE rollup_dirty_days (
        project_id VARCHAR NOT NULL,
        day DATE NOT NULL,
        PRIMARY KEY (project_id, day)
      )`,
      `CREATE TABLE rollup_state (
        project_id VARCHAR PRIMARY KEY,
        time_zone VARCHAR NOT NULL,
        session_gap_seconds INTEGER NOT NULL,
        refreshed_at TIMESTAMPTZ NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    name: 'session_lengths_and_feature_rollup',
    statements: [
      // Lengths of the sessions that started on the day, for the median session length; NULL on
      // rows built before this migration until the next rollup rebuilds them (rollup_version).
      'ALTER TABLE user_day ADD COLUMN session_seconds INTEGER[]',
      // Uses of catalogue features defined by a property condition (event names alone are read
      // from user_day_event); rebuilt whenever those features change (features_hash).
      `CREATE TABLE user_day_feature (
        project_id VARCHAR NOT NULL,
        user_id VARCHAR NOT NULL,
        anonymous BOOLEAN NOT NULL,
        account_id VARCHAR NOT NULL,
        day DATE NOT NULL,
        feature VARCHAR NOT NULL,
        events BIGINT NOT NULL
      )`,
      'ALTER TABLE rollup_state ADD COLUMN rollup_version INTEGER DEFAULT 1',
      "ALTER TABLE rollup_state ADD COLUMN features_hash VARCHAR DEFAULT ''",
    ],
  },
  {
    version: 3,
    name: 'report_cache',
    statements: [
      // Finished reports by a hash of everything they depend on (docs/definition.md, "Report
      // cache"); emptied for the project by every rollup refresh that changes data.
      `CREATE TABLE report_cache (
        project_id VARCHAR NOT NULL,
        cache_key VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        report VARCHAR NOT NULL,
        PRIMARY KEY (project_id, cache_key)
      )`,
    ],
  },
  {
    version: 4,
    name: 'api_keys',
    statements: [
      // Only the SHA-256 digest of a key is stored; key_id (its prefix and first characters)
      // names it in listings and finds its row.
      `CREATE TABLE api_keys (
        key_id VARCHAR PRIMARY KEY,
        project_id VARCHAR NOT NULL,
        scope VARCHAR NOT NULL,
        key_hash VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        revoked_at TIMESTAMPTZ
      )`,
    ],
  },
  {
    version: 5,
    name: 'collector_records',
    statements: [
      // Why a collected event's timestamp is not the one sent (docs/decisions/0005); NULL when
      // it is.
      'ALTER TABLE events ADD COLUMN timestamp_flag VARCHAR',
      // Two ids of one person (Segment alias, PostHog $create_alias): previous_id's events
      // count for user_id.
      `CREATE TABLE aliases (
        project_id VARCHAR NOT NULL,
        message_id VARCHAR NOT NULL,
        timestamp TIMESTAMPTZ NOT NULL,
        user_id VARCHAR NOT NULL,
        previous_id VARCHAR NOT NULL,
        received_at TIMESTAMPTZ NOT NULL,
        source VARCHAR NOT NULL
      )`,
      // Log segments already stored, by the SHA-256 of their content: a segment loaded again
      // after a crash (stored, not yet deleted) is skipped.
      `CREATE TABLE collector_loads (
        segment_sha256 VARCHAR PRIMARY KEY,
        records BIGINT NOT NULL,
        loaded_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
      )`,
    ],
  },
  {
    version: 6,
    name: 'identity_resolution',
    statements: [
      // The link each id (an anonymous id, or a user id later aliased) is counted under: the
      // earliest one seen, from aliases, identifies and events carrying both ids
      // (docs/decisions/0006). No primary key: the rollup replaces a project's rows in one
      // transaction, and DuckDB checks keys eagerly within one.
      `CREATE TABLE identity_links (
        project_id VARCHAR NOT NULL,
        alias_id VARCHAR NOT NULL,
        target_id VARCHAR NOT NULL,
        linked_at TIMESTAMPTZ NOT NULL
      )`,
      // Every linked id and the user it finally resolves to, following chains of links; the
      // rollup counts an event for coalesce(map(user id or anonymous id), user id, anonymous id).
      `CREATE TABLE identity_map (
        project_id VARCHAR NOT NULL,
        alias_id VARCHAR NOT NULL,
        user_id VARCHAR NOT NULL
      )`,
      // Names a rejected row so it can be exported, fixed and re-submitted (powerlens
      // failed-events); the default gives rows already there an id too.
      'ALTER TABLE failed_events ADD COLUMN failed_id VARCHAR DEFAULT CAST(gen_random_uuid() AS VARCHAR)',
      // When a re-submission stored it; such rows stay as a record but leave the listing.
      'ALTER TABLE failed_events ADD COLUMN resolved_at TIMESTAMPTZ',
      // A group call before sign-in names the visitor by anonymous id only; identity links say
      // later whose membership it was.
      'ALTER TABLE group_memberships ADD COLUMN anonymous_id VARCHAR',
    ],
  },
  {
    version: 7,
    name: 'user_snapshots',
    statements: [
      // Each user's status per period (src/lifecycle/run-snapshots.ts): scored as of the
      // period's last day with the definition's window. Replaced whole per period, so a run
      // again gives the same rows.
      `CREATE TABLE user_snapshots (
        project_id VARCHAR NOT NULL,
        definition VARCHAR NOT NULL,
        period VARCHAR NOT NULL,
        period_start DATE NOT NULL,
        as_of DATE NOT NULL,
        user_id VARCHAR NOT NULL,
        account_id VARCHAR NOT NULL,
        is_power_user BOOLEAN NOT NULL,
        score INTEGER NOT NULL,
        criteria_met INTEGER NOT NULL,
        criteria_total INTEGER NOT NULL,
        days_active INTEGER NOT NULL,
        events BIGINT NOT NULL,
        trend DOUBLE NOT NULL,
        days_since_last_seen INTEGER NOT NULL,
        segments VARCHAR NOT NULL
      )`,
    ],
  },
  {
    version: 8,
    name: 'snapshot_early_signals',
    statements: [
      // What at risk and emerging read (docs/lifecycle.md), NULL on rows stored before this
      // migration until a backfill stores them again. window_start: the first day of the
      // window the period was scored over (a period whose window starts before the data is
      // partial); first_seen: the user's first day with activity. days_active_7: days active in the last 7 days of the window;
      // baseline_days_active: days active in the 28 days before those, of which the user had
      // been seen on baseline_days (their own usual rate); events_7 and baseline_events: their
      // events over the same days. attainment: how close to the
      // definition the user is, 0..1 (1 = a power user).
      'ALTER TABLE user_snapshots ADD COLUMN window_start DATE',
      'ALTER TABLE user_snapshots ADD COLUMN first_seen DATE',
      'ALTER TABLE user_snapshots ADD COLUMN days_active_7 INTEGER',
      'ALTER TABLE user_snapshots ADD COLUMN baseline_days_active INTEGER',
      'ALTER TABLE user_snapshots ADD COLUMN baseline_days INTEGER',
      'ALTER TABLE user_snapshots ADD COLUMN events_7 BIGINT',
      'ALTER TABLE user_snapshots ADD COLUMN baseline_events BIGINT',
      'ALTER TABLE user_snapshots ADD COLUMN attainment DOUBLE',
      // A user with no earlier window has no trend (null, "n/a"), not +100.
      'ALTER TABLE user_snapshots ALTER COLUMN trend DROP NOT NULL',
    ],
  },
  {
    version: 9,
    name: 'playbook_outbox',
    statements: [
      // The outbox of playbooks (docs/playbooks.md). Playbooks need DuckDB's transactions (an
      // occurrence and its deliveries land together or not at all), so only DuckDB has these
      // tables; the ClickHouse engines keep their schema unchanged for now.
      // One row per time a playbook fired for a subject; occurrence_id is its idempotency key.
      `CREATE TABLE playbook_occurrences (
        project_id VARCHAR NOT NULL,
        occurrence_id VARCHAR NOT NULL,
        playbook VARCHAR NOT NULL,
        trigger VARCHAR NOT NULL,
        subject_type VARCHAR NOT NULL,
        subject_id VARCHAR NOT NULL,
        account_id VARCHAR NOT NULL,
        period_start DATE NOT NULL,
        explanation VARCHAR NOT NULL,
        data VARCHAR NOT NULL,
        fired_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (project_id, occurrence_id)
      )`,
      // One row per action of an occurrence: the payload is fixed when queued, delivery_id is
      // the webhook-id every attempt carries. next_attempt_at is NULL once sent or dead.
      `CREATE TABLE playbook_deliveries (
        delivery_id VARCHAR PRIMARY KEY,
        occurrence_id VARCHAR NOT NULL,
        project_id VARCHAR NOT NULL,
        playbook VARCHAR NOT NULL,
        action_index INTEGER NOT NULL,
        channel VARCHAR NOT NULL,
        payload VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL,
        sent_at TIMESTAMPTZ,
        last_error VARCHAR
      )`,
      // Every attempt to send a delivery, as it ended (an attempt cut short by a crash leaves
      // no row, and the next one's number shows the gap).
      `CREATE TABLE playbook_attempts (
        delivery_id VARCHAR NOT NULL,
        attempt INTEGER NOT NULL,
        started_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ NOT NULL,
        status_code INTEGER,
        latency_ms INTEGER NOT NULL,
        outcome VARCHAR NOT NULL,
        error VARCHAR
      )`,
    ],
  },
  {
    version: 10,
    name: 'playbook_suppressions',
    statements: [
      // Addresses no playbook e-mail goes to any more (an unsubscribe, a complaint): the
      // dispatcher marks an e-mail delivery to one dead ('suppressed') without sending it.
      // address is trimmed and lower case; one row per project and address.
      `CREATE TABLE playbook_suppressions (
        project_id VARCHAR NOT NULL,
        address VARCHAR NOT NULL,
        reason VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (project_id, address)
      )`,
    ],
  },
  {
    version: 11,
    name: 'playbook_cursors',
    statements: [
      // The last snapshot period each playbook's triggers were evaluated in: the next run
      // evaluates that period again (it may have been partial then) and every period after it,
      // so periods nobody ran in (serve stopped, a cron missed) are not skipped. `signature`
      // is what the cursor was for (trigger, definition, period kind): another one starts anew.
      `CREATE TABLE playbook_cursors (
        project_id VARCHAR NOT NULL,
        playbook VARCHAR NOT NULL,
        period_start DATE NOT NULL,
        signature VARCHAR NOT NULL,
        evaluated_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (project_id, playbook)
      )`,
    ],
  },
  {
    version: 12,
    name: 'instance_settings',
    statements: [
      // Values the installation makes for itself once and keeps (not configuration, not a
      // user's secret): the key unsubscribe links are signed with (src/playbooks/
      // unsubscribe-token.ts), made at random the first time one is needed.
      `CREATE TABLE instance_settings (
        name VARCHAR PRIMARY KEY,
        value VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
      )`,
    ],
  },
];
