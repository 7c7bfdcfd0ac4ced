import { describe, expect, it } from 'vitest';
import { CLICKHOUSE_TABLES, clickhouseSchema, clickhouseUpgrade } from './schema.js';

/*
 * Golden DDL (issue 5): the exact statements for one server and for a cluster, pinned for review
 * in __golden__/. Update after an intended change with
 *   npx vitest run -u src/engines/clickhouse/schema.test.ts
 */
describe('ClickHouse schema', () => {
  it('one server', async () => {
    const ddl = clickhouseSchema({ database: 'powerlens' });
    await expect(`${ddl.join(';\n\n')};\n`).toMatchFileSnapshot('./__golden__/schema-server.sql');
    expect(ddl).toHaveLength(1 + CLICKHOUSE_TABLES.length);
    expect(ddl.join('\n')).not.toContain('ON CLUSTER');
  });

  it('a cluster: ON CLUSTER, replicated local tables, Distributed tables of the plain names', async () => {
    const ddl = clickhouseSchema({ database: 'analytics', cluster: 'prod_cluster' });
    await expect(`${ddl.join(';\n\n')};\n`).toMatchFileSnapshot('./__golden__/schema-cluster.sql');
    expect(ddl).toHaveLength(1 + 2 * CLICKHOUSE_TABLES.length);
    for (const sql of ddl) expect(sql).toContain('ON CLUSTER `prod_cluster`');
    const events = ddl.filter((s) => /`events(_local)?`/.test(s)).join('\n');
    expect(events).toContain(
      "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/events', '{replica}', received_at)",
    );
    expect(events).toContain(
      "Distributed('prod_cluster', 'analytics', 'events_local', cityHash64(project_id, ifNull(user_id, ifNull(anonymous_id, ''))))",
    );
  });

  it('upgrades a database of version 2: the new columns, on the local and Distributed tables', () => {
    const one = clickhouseUpgrade({ database: 'powerlens' }, 2);
    expect(one).toHaveLength(1);
    expect(one[0]).toMatch(
      /^ALTER TABLE `powerlens`\.`user_snapshots` ADD COLUMN IF NOT EXISTS window_start Nullable\(Date\), /,
    );
    const cluster = clickhouseUpgrade({ database: 'analytics', cluster: 'prod_cluster' }, 2);
    expect(cluster.map((s) => s.split(' ADD')[0])).toEqual([
      'ALTER TABLE `analytics`.`user_snapshots_local` ON CLUSTER `prod_cluster`',
      'ALTER TABLE `analytics`.`user_snapshots` ON CLUSTER `prod_cluster`',
    ]);
    expect(clickhouseUpgrade({ database: 'powerlens' }, 3)).toEqual([]);
  });

  it('quotes the names an operator chooses', () => {
    const [db] = clickhouseSchema({ database: 'a`b' });
    expect(db).toBe('CREATE DATABASE IF NOT EXISTS `a\\`b`');
  });
});
