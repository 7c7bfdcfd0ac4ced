import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../../src/ingest/import/run-import.js';
import { createProject } from '../../src/projects/run-projects.js';
import { runRollup } from '../../src/rollup/run-rollup.js';
import { Sessions } from '../../src/server/api/sessions.js';
import { periodsBetween } from '../../src/time/periods.js';
import { type ApiServer, startApiServer } from '../helpers/api-server.js';
import { demoProject } from '../helpers/demo-project.js';
import { openApiValidator } from '../helpers/openapi-validator.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/**
 * Failed events and snapshots through the REST API, while the server holds the database (a real
 * Fastify server over a real DuckDB file): rejected messages sent to the collector are listed,
 * filtered, paged and counted per reason for their project only; snapshots are brought up to
 * date and backfilled, the lifecycle then shows the periods; oversized backfills and dates
 * outside the data are refused in the user's words. Every answer is checked against the
 * OpenAPI document.
 */
let db: TempDb;
let app: FastifyInstance;
let server: ApiServer;
let keys: { a: string; aWrite: string; b: string; bWrite: string };
let check: Awaited<ReturnType<typeof openApiValidator>>;

async function get(path: string, key = keys.a) {
  return app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${key}` } });
}
async function post(body: unknown, key = keys.a) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/snapshots',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}
/** A Segment batch to the collector, as an SDK sends it (write key as Basic auth). */
async function sendBatch(writeKey: string, batch: unknown[]) {
  const r = await app.inject({
    method: 'POST',
    url: '/v1/batch',
    headers: {
      authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
      'content-type': 'application/json',
    },
    payload: JSON.stringify({ batch }),
  });
  expect(r.statusCode).toBe(200);
}
/** Waits for the collector's load timer to store `n` rejected messages of a project. */
async function failedOf(key: string, n: number) {
  for (let i = 0; i < 100; i++) {
    const page = (await get('/api/v1/failed-events', key)).json();
    if (page.total >= n) return page;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the collector did not store ${n} rejected messages`);
}

beforeAll(async () => {
  db = await openTempDb();
  const a = await demoProject(db, 7);
  const b = await createProject(db.engine, { name: 'Other', timeZone: 'UTC' });
  keys = { a: a.read_key, aWrite: a.write_key, b: b.read_key, bWrite: b.write_key };
  // The other project's data spans more than two years, so a daily backfill of all of it is
  // more than one request stores.
  await runImport(db.engine, {
    path: db.file(
      'other.csv',
      'timestamp,user_id,event\n2024-06-03T10:00:00Z,their-user,report_exported\n2026-10-30T10:00:00Z,their-user,report_exported\n',
    ),
    projectId: 'other',
    timeZone: 'UTC',
    now: new Date('2026-11-24T00:00:00Z'),
  });
  await runRollup(db.engine, { projectId: 'other', timeZone: 'UTC', sessionGapMinutes: 30 });
  server = await startApiServer(db, 'project: acme\n', new Sessions());
  app = server.app;
  await app.ready();
  check = await openApiValidator(
    (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json(),
  );
  const track = (id: string, event: string) => ({
    type: 'track',
    event,
    userId: 'u-late',
    messageId: id,
    timestamp: '2026-10-31T10:00:00Z',
  });
  await sendBatch(keys.aWrite, [
    track('ok-1', 'Report Exported'),
    track('bad-1', ''),
    track('bad-2', ''),
    { type: 'bogus_100%', userId: 'u-late', messageId: 'bad-3' },
  ]);
  await sendBatch(keys.bWrite, [
    {
      ...track('b-ok', 'Report Exported'),
      userId: 'their-user',
      timestamp: '2026-10-30T11:00:00Z',
    },
    { type: 'track', event: '', userId: 'theirs', messageId: 'b-1' },
  ]);
  await failedOf(keys.a, 3);
  await failedOf(keys.b, 1);
}, 120_000);
afterAll(async () => {
  await server?.close();
  await db?.cleanup();
});

describe('GET /api/v1/failed-events', () => {
  it('lists the rejected messages with reason, source, time and payload, counted per reason', async () => {
    const r = await get('/api/v1/failed-events');
    expect(r.statusCode).toBe(200);
    const page = r.json();
    check('/api/v1/failed-events', 'get', 200, page);
    expect(page.total).toBe(3);
    expect(page.by_reason).toEqual([
      { reason: 'track needs a non-empty event name', count: 2 },
      {
        reason: expect.stringContaining('type "bogus_100%" is not one of'),
        count: 1,
      },
    ]);
    const ids = page.events.map((e: { raw: string }) => JSON.parse(e.raw).messageId).sort();
    expect(ids).toEqual(['bad-1', 'bad-2', 'bad-3']);
    for (const e of page.events) {
      expect(e.source).toBe('segment');
      expect(e.failed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(e.raw_truncated).toBe(false);
      expect(e.resolved_at).toBeNull();
    }
  });

  it('filters by reason (contains, any case, wildcards literal) and source, and pages', async () => {
    const byReason = (await get('/api/v1/failed-events?reason=EVENT%20NAME')).json();
    expect(byReason.total).toBe(2);
    expect(byReason.by_reason).toHaveLength(1);
    const literal = (await get('/api/v1/failed-events?reason=100%25')).json();
    expect(literal.total).toBe(1);
    const noWildcard = (await get('/api/v1/failed-events?reason=_')).json();
    expect(noWildcard.total).toBe(1);
    expect((await get('/api/v1/failed-events?source=posthog')).json().total).toBe(0);
    expect((await get('/api/v1/failed-events?source=seg')).json().total).toBe(3);
    const first = (await get('/api/v1/failed-events?limit=2')).json();
    const rest = (await get('/api/v1/failed-events?limit=2&offset=2')).json();
    expect(first.events).toHaveLength(2);
    expect(rest.events).toHaveLength(1);
    expect(rest.total).toBe(3);
    const seen = [...first.events, ...rest.events].map((e: { failed_id: string }) => e.failed_id);
    expect(new Set(seen).size).toBe(3);
    const bad = await get('/api/v1/failed-events?limit=0');
    expect(bad.statusCode).toBe(400);
    check('/api/v1/failed-events', 'get', 400, bad.json());
  });

  it("shows a project's key only that project's rejected messages", async () => {
    const theirs = (await get('/api/v1/failed-events', keys.b)).json();
    expect(theirs.total).toBe(1);
    expect(JSON.parse(theirs.events[0].raw).messageId).toBe('b-1');
    const mine = (await get('/api/v1/failed-events')).json();
    expect(mine.events.map((e: { raw: string }) => e.raw).join()).not.toContain('b-1');
  });
});

describe('snapshots through the API', () => {
  it('brings them up to date, backfills, and the lifecycle then shows the periods', async () => {
    const before = (await get('/api/v1/snapshots')).json();
    check('/api/v1/snapshots', 'get', 200, before);
    expect(before).toMatchObject({
      definition: 'default',
      period: 'week',
      last_day: '2026-10-31',
      stored_periods: 0,
      last_period_start: null,
    });
    expect((await get('/api/v1/lifecycle')).json().periods).toEqual([]);

    const upToDate = await post({});
    expect(upToDate.statusCode).toBe(200);
    check('/api/v1/snapshots', 'post', 200, upToDate.json());
    expect(upToDate.json().periods).toEqual([
      {
        period_start: '2026-10-26',
        as_of: '2026-10-31',
        users: expect.any(Number),
        power_users: expect.any(Number),
        window_start: '2026-10-02',
        partial: false,
      },
    ]);

    // The demo's 60 days start on 2026-09-02, in the week of 2026-08-31.
    expect(before.first_day).toBe('2026-09-02');
    const backfill = await post({ from: '2026-09-02' });
    expect(backfill.statusCode).toBe(200);
    const run = backfill.json();
    check('/api/v1/snapshots', 'post', 200, run);
    const weeks = periodsBetween('2026-09-02', '2026-10-31', 'week');
    expect(run.periods.map((p: { period_start: string }) => p.period_start)).toEqual(
      weeks.map((w) => w.start),
    );
    expect(run.periods[0].as_of).toBe('2026-09-06');
    // 30-day windows from the first day of data on (as of 10-01): the weeks before are partial.
    expect(run.periods.map((p: { partial: boolean }) => p.partial)).toEqual(
      weeks.map((w) => w.end < '2026-10-01'),
    );
    expect(run.periods.every((p: { users: number }) => p.users > 0)).toBe(true);

    const lifecycle = (await get('/api/v1/lifecycle')).json();
    expect(lifecycle.periods.map((p: { period_start: string }) => p.period_start)).toEqual(
      weeks.map((w) => w.start),
    );
    expect(lifecycle.periods.at(-1).power_users).toBe(run.periods.at(-1).power_users);
    expect(lifecycle.periods.map((p: { partial: boolean }) => p.partial)).toEqual(
      run.periods.map((p: { partial: boolean }) => p.partial),
    );
    const after = (await get('/api/v1/snapshots')).json();
    expect(after).toMatchObject({
      stored_periods: weeks.length,
      first_period_start: weeks[0]?.start,
      last_period_start: '2026-10-26',
      last_as_of: '2026-10-31',
    });

    // Up to date again: only the last stored period, which may have been running, is redone.
    const again = (await post({})).json();
    expect(again.periods.map((p: { period_start: string }) => p.period_start)).toEqual([
      '2026-10-26',
    ]);
    const monthly = (await post({ from: '2026-10-01', period: 'month' })).json();
    expect(monthly).toMatchObject({ period: 'month', periods: [{ period_start: '2026-10-01' }] });
  });

  it('refuses a backfill of more periods than one request stores, storing nothing', async () => {
    const r = await post({ from: '2024-06-03', period: 'day' }, keys.b);
    expect(r.statusCode).toBe(400);
    const p = r.json();
    check('/api/v1/snapshots', 'post', 400, p);
    expect(p.title).toBe('Too many periods at once');
    expect(p.detail).toMatch(/^880 days from 2024-06-03 to 2026-10-30 are more than one request/);
    expect(p.detail).toContain('backfill from a later day');
    expect(p.detail).not.toContain('--');
    const status = (await get('/api/v1/snapshots?period=day', keys.b)).json();
    expect(status.stored_periods).toBe(0);
    const weekly = await post({ from: '2024-06-03', period: 'week' }, keys.b);
    expect(weekly.statusCode).toBe(200);
    expect(weekly.json().periods).toHaveLength(126);
  });

  it('refuses dates outside the data, malformed dates and unknown fields, in plain words', async () => {
    const after = await post({ from: '2030-01-01' });
    expect(after.statusCode).toBe(400);
    check('/api/v1/snapshots', 'post', 400, after.json());
    expect(after.json().detail).toMatch(
      /^from 2030-01-01 is after the last day with data \(2026-10-31\): pick a day from \d{4}-\d\d-\d\d to 2026-10-31$/,
    );
    const before = await post({ from: '2020-01-01' });
    expect(before.statusCode).toBe(400);
    expect(before.json().detail).toContain('is before the first day with data');
    for (const body of [{ from: '2026-02-30' }, { from: '31/10/2026' }, { period: 'year' }]) {
      const r = await post(body);
      expect(r.statusCode).toBe(400);
      check('/api/v1/snapshots', 'post', 400, r.json());
      expect(r.json().errors[0].path).toBe(Object.keys(body)[0]);
      expect(r.json().detail).not.toContain('--');
    }
    expect((await post({ form: '2026-10-01' })).statusCode).toBe(400);
    const unknown = await post({ definition: 'nope' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toContain('no definition "nope"');
  });

  it('a backfill stopped by the time limit stores none of its periods', async () => {
    const config = server.config();
    config.api.request_timeout_seconds = 0.3;
    // 60 days, each a scoring of the demo's users: seconds of work, stopped after a few periods.
    const r = await post({ from: '2026-09-02', period: 'day' });
    config.api.request_timeout_seconds = 120;
    expect(r.statusCode).toBe(503);
    check('/api/v1/snapshots', 'post', 503, r.json());
    expect(r.json().detail).toMatch(/more than 0.3 s of the database/);
    const status = (await get('/api/v1/snapshots?period=day')).json();
    expect(status.stored_periods).toBe(0);
    expect((await get('/api/v1/snapshots')).json().stored_periods).toBe(9);
  });

  it('says what to do for a project without data', async () => {
    const empty = await createProject(db.engine, { name: 'Empty', timeZone: 'UTC' });
    const status = (await get('/api/v1/snapshots', empty.read_key)).json();
    expect(status).toMatchObject({ first_day: null, last_day: null, stored_periods: 0 });
    const r = await post({}, empty.read_key);
    expect(r.statusCode).toBe(400);
    expect(r.json().detail).toContain('send events to the collector or import them first');
    const failed = (await get('/api/v1/failed-events', empty.read_key)).json();
    expect(failed).toMatchObject({ total: 0, by_reason: [], events: [] });
  });
});
