import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resubmitFailed } from '../../src/ingest/collector/resubmit-failed.js';
import { DEFAULT_COLLECTOR_LIMITS } from '../../src/model/collector-config.js';
import { type CollectorServer, startCollectorServer } from '../helpers/collector-server.js';
import { runCli } from '../helpers/run-cli.js';

/**
 * Rejected collector messages are kept whole enough to be re-submitted: after a config fix as
 * they are, after an edit from an export file, through the collector's own checks and load.
 */
let server: CollectorServer;
const SENT_AT = '2026-11-20T12:00:10Z';
const track = (id: string | undefined, extra: Record<string, unknown> = {}) => ({
  type: 'track',
  userId: 'u1',
  ...(id ? { messageId: id } : {}),
  timestamp: '2026-11-20T12:00:00Z',
  ...extra,
});

let ids: Record<string, string>;

beforeAll(async () => {
  server = await startCollectorServer();
  const res = await fetch(`${server.base}/v1/batch`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${btoa(`${server.writeKeys[0]}:`)}`,
    },
    body: JSON.stringify({
      sentAt: SENT_AT,
      context: { groupId: 'acct-1' },
      batch: [
        track('ok', { event: 'Saved' }),
        track('no-name'),
        track('too-big', { event: 'Big', properties: { pad: 'x'.repeat(40_000) } }),
        track(undefined),
      ],
    }),
  });
  expect(res.status).toBe(200);
  await server.collector.loadNow();
  const rows = await server.db.engine.query<{ failed_id: string; raw: string }>(
    'SELECT failed_id, raw FROM failed_events ORDER BY failed_at',
  );
  ids = Object.fromEntries(
    rows.map((r) => [
      (JSON.parse(r.raw) as { messageId?: string }).messageId ?? 'no-id',
      r.failed_id,
    ]),
  );
});
afterAll(() => server.close());

describe('re-submitting rejected messages', () => {
  it('keeps each rejected message whole, with its request’s type, sentAt and context', async () => {
    expect(Object.keys(ids).sort()).toEqual(['no-id', 'no-name', 'too-big']);
    const [row] = await server.db.engine.query<{ raw: string }>(
      'SELECT raw FROM failed_events WHERE failed_id = $id',
      { id: ids['no-name'] ?? '' },
    );
    expect(JSON.parse(row?.raw ?? '')).toEqual({
      ...track('no-name'),
      sentAt: SENT_AT,
      context: { groupId: 'acct-1' },
    });
  });

  it('stores a message after the limit it broke is raised, once', async () => {
    const limits = {
      ...DEFAULT_COLLECTOR_LIMITS,
      segment: { ...DEFAULT_COLLECTOR_LIMITS.segment, maxEventBytes: 64 * 1024 },
    };
    const engine = server.db.engine;
    const again = await resubmitFailed(engine, 'acme', [{ failed_id: ids['too-big'] ?? '' }]);
    expect(again.rejected[0]?.reason).toMatch(/the limit is 32768/);
    const r = await resubmitFailed(engine, 'acme', [{ failed_id: ids['too-big'] ?? '' }], {
      limits,
    });
    expect(r).toEqual({ stored: [ids['too-big']], rejected: [], skipped: [] });
    const twice = await resubmitFailed(engine, 'acme', [{ failed_id: ids['too-big'] ?? '' }], {
      limits,
    });
    expect(twice.skipped[0]?.why).toMatch(/already re-submitted/);
    const [n] = await engine.query<{ n: number; account: string }>(
      "SELECT count(*) AS n, any_value(account_id) AS account FROM events WHERE message_id = 'too-big'",
    );
    expect(n).toEqual({ n: 1, account: 'acct-1' });
    // The clock correction of its first arrival: received - (sentAt - timestamp), 10 s earlier.
    const [t] = await engine.query<{ lag: number }>(
      `SELECT epoch(f.failed_at) - epoch(e.timestamp) AS lag FROM events e, failed_events f
       WHERE e.message_id = 'too-big' AND f.failed_id = $id`,
      { id: ids['too-big'] ?? '' },
    );
    expect(t?.lag).toBeCloseTo(10, 3);
  });

  it('refuses rows of another project and rows from file imports, saying why', async () => {
    const other = await resubmitFailed(server.db.engine, 'other', [
      { failed_id: ids['no-name'] ?? '' },
    ]);
    expect(other.skipped[0]?.why).toMatch(/no rejected row .* in project other/);
    await server.db.engine.run(
      `INSERT INTO failed_events (project_id, source, source_line, reason, raw, failed_id)
       VALUES ('acme', 'file:/tmp/x.csv', 3, 'bad time', '{}', 'imp-1')`,
    );
    const imported = await resubmitFailed(server.db.engine, 'acme', [{ failed_id: 'imp-1' }]);
    expect(imported.skipped[0]?.why).toMatch(/correct the file and import it again/);
  });

  it('through the CLI: export, fix the messages, re-submit, once', async () => {
    // The CLI is another process: it works on a copy, as the server holds the database.
    await server.db.engine.run('CHECKPOINT');
    const copy = join(server.db.dir, 'copy.duckdb');
    copyFileSync(server.db.dbPath, copy);
    const cli = (...args: string[]) =>
      runCli(['failed-events', '--db', copy, '--project', 'acme', ...args]);

    const listed = await cli('--json');
    expect(listed.code, listed.stderr).toBe(0);
    const list = JSON.parse(listed.stdout) as { total: number; rows: { reason: string }[] };
    expect(list.total).toBe(3); // two from the collector, one from an import (test above)

    const file = join(server.db.dir, 'fix.ndjson');
    const exported = await cli('--reason', 'event name', '--export', file);
    expect(exported.stdout).toContain('2 rows written');
    const fixed = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const o = JSON.parse(l) as { failed_id: string; message: Record<string, unknown> };
        return JSON.stringify({ ...o, message: { ...o.message, event: 'Fixed' } });
      });
    writeFileSync(file, `${fixed.join('\n')}\n`);

    const resubmitted = await cli('--resubmit', file, '--json');
    expect(resubmitted.code, resubmitted.stderr).toBe(0);
    expect(JSON.parse(resubmitted.stdout)).toMatchObject({ rejected: [], skipped: [] });
    expect((JSON.parse(resubmitted.stdout) as { stored: string[] }).stored).toHaveLength(2);
    // Again: nothing is stored twice.
    const again = JSON.parse((await cli('--resubmit', file, '--json')).stdout) as {
      skipped: unknown[];
    };
    expect(again.skipped).toHaveLength(2);

    expect(JSON.parse((await cli('--json')).stdout)).toMatchObject({ total: 1 });
    expect(JSON.parse((await cli('--json', '--all')).stdout)).toMatchObject({ total: 4 });

    const bad = await cli('--resubmit', join(server.db.dir, 'missing-fields.ndjson'));
    expect(bad.code).not.toBe(0);
  });
});
