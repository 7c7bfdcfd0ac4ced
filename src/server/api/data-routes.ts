import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { dataRange } from '../../analysis/run-analysis.js';
import type { FailedEventRow } from '../../ingest/collector/failed-event-row.js';
import { latestSnapshotPeriod } from '../../lifecycle/lifecycle-report.js';
import { runSnapshots } from '../../lifecycle/run-snapshots.js';
import { resolveDefinition } from '../../model/resolve-definition.js';
import { type PeriodKind, periodsBetween } from '../../time/periods.js';
import { PROBLEMS as problems, type RouteContext, type ZodApi } from './api-context.js';
import {
  FailedEventsPage,
  FailedEventsQuery,
  SnapshotsBody,
  SnapshotsQuery,
  SnapshotsRun,
  SnapshotsStatus,
} from './api-schemas.js';
import { ProblemError } from './problem.js';

/**
 * The periods one request may store: more than a year of days, eight years of weeks. Each is a
 * full scoring, and the request holds the engine for all of them (one transaction), so a bigger
 * history is asked for in pieces.
 */
export const MAX_SNAPSHOT_PERIODS = 400;

/**
 * What the answer keeps of a raw payload: a collector message may be 1 MB and a page up to 200
 * of them. One character more is read, to know whether it was cut.
 */
const RAW_CHARS = 10_000;

/** At most this many reasons counted: the rest is a long tail a filter finds. */
const MAX_REASONS = 50;

/** `%text%` for LIKE, with the text's own wildcards taken literally (backslash escapes). */
const containing = (text: string): string =>
  `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The data behind the reports, while serve holds the database: rejected messages, and the
 * snapshots the lifecycle and accounts read (stored, brought up to date, backfilled).
 */
export function registerDataRoutes(api: ZodApi, rc: RouteContext): void {
  const { engine, ctx, inTurn } = rc;
  const d = engine.dialect;

  api.get(
    '/api/v1/failed-events',
    {
      schema: {
        summary:
          'Rejected messages and rows with the reason and the raw payload, counted per reason',
        querystring: FailedEventsQuery,
        response: { 200: FailedEventsPage, ...problems },
      },
    },
    async (req) => {
      const q = req.query;
      const params: Record<string, string> = { p: req.projectId };
      const conditions = [`project_id = ${d.param('p', 'String')}`];
      if (q.reason) {
        conditions.push(d.like('lower(reason)', d.param('reason', 'String')));
        params.reason = containing(q.reason);
      }
      if (q.source) {
        conditions.push(d.like('lower(source)', d.param('source', 'String')));
        params.source = containing(q.source);
      }
      if (q.include_resolved !== 'true') conditions.push('resolved_at IS NULL');
      const where = conditions.join(' AND ');
      return inTurn(async () => {
        const [count] = await engine.query<{ n: number }>(
          `SELECT count(*) AS n FROM failed_events WHERE ${where}`,
          params,
        );
        const reasons = await engine.query<{ reason: string; n: number }>(
          `SELECT reason, count(*) AS n FROM failed_events WHERE ${where}
           GROUP BY reason ORDER BY n DESC, reason LIMIT ${MAX_REASONS}`,
          params,
        );
        const rows = await engine.query<FailedEventRow>(
          `SELECT failed_id, source, source_line, reason, substring(raw, 1, ${RAW_CHARS + 1}) AS raw,
             ${d.instantText('failed_at')} AS failed_at, ${d.instantText('resolved_at')} AS resolved_at
           FROM failed_events WHERE ${where}
           ORDER BY failed_at DESC, failed_id
           LIMIT ${d.param('n', 'Int64')} OFFSET ${d.param('o', 'Int64')}`,
          { ...params, n: q.limit, o: q.offset },
        );
        return {
          total: Number(count?.n ?? 0),
          limit: q.limit,
          offset: q.offset,
          by_reason: reasons.map((r) => ({ reason: r.reason, count: Number(r.n) })),
          events: rows.map((r) => ({
            failed_id: r.failed_id,
            source: r.source,
            source_line: r.source_line === null ? null : Number(r.source_line),
            reason: r.reason,
            raw: r.raw === null ? null : r.raw.slice(0, RAW_CHARS),
            raw_truncated: r.raw !== null && r.raw.length > RAW_CHARS,
            failed_at: r.failed_at,
            resolved_at: r.resolved_at,
          })),
        };
      });
    },
  );

  const snapshotKey = (req: FastifyRequest, q: z.infer<typeof SnapshotsQuery>) => {
    const { config, projectId, segments } = ctx(req);
    // Resolved, not only named: an unknown definition is a 404 before any work.
    const definition = resolveDefinition(config, { name: q.definition });
    const period: PeriodKind = q.period ?? config.lifecycle.period;
    return { config, projectId, segments, definition, period };
  };

  api.get(
    '/api/v1/snapshots',
    {
      schema: {
        summary:
          'The stored snapshots of a definition and period, and the days with data they can cover',
        querystring: SnapshotsQuery,
        response: { 200: SnapshotsStatus, ...problems },
      },
    },
    async (req) => {
      const { projectId, definition, period } = snapshotKey(req, req.query);
      return inTurn(async () => {
        const range = await dataRange(engine, projectId);
        const [stored] = await engine.query<{
          n: number;
          first: string | null;
          last: string | null;
          as_of: string | null;
        }>(
          `SELECT ${d.countDistinct('period_start')} AS n, ${d.dateText('min(period_start)')} AS first,
             ${d.dateText('max(period_start)')} AS last, ${d.dateText('max(as_of)')} AS as_of
           FROM user_snapshots
           WHERE project_id = ${d.param('p', 'String')} AND definition = ${d.param('def', 'String')}
             AND period = ${d.param('period', 'String')}`,
          { p: projectId, def: definition.name, period },
        );
        const n = Number(stored?.n ?? 0);
        return {
          definition: definition.name,
          period,
          first_day: range?.first ?? null,
          last_day: range?.last ?? null,
          stored_periods: n,
          first_period_start: n > 0 ? (stored?.first ?? null) : null,
          last_period_start: n > 0 ? (stored?.last ?? null) : null,
          last_as_of: n > 0 ? (stored?.as_of ?? null) : null,
          max_periods: MAX_SNAPSHOT_PERIODS,
        };
      });
    },
  );

  api.post(
    '/api/v1/snapshots',
    {
      schema: {
        summary:
          'Stores snapshots: without from, the periods since the last one stored; with from, a backfill of every period since that day',
        body: SnapshotsBody,
        response: { 200: SnapshotsRun, ...problems },
      },
    },
    async (req) => {
      const body = req.body;
      const { config, projectId, segments, definition, period } = snapshotKey(req, body);
      return inTurn(async () => {
        const range = await dataRange(engine, projectId);
        if (!range) {
          throw new ProblemError(
            400,
            'No data yet',
            'there are no events to take snapshots of yet: send events to the collector or import them first',
          );
        }
        const pick = `pick a day from ${range.first} to ${range.last}`;
        if (body.from !== undefined && body.from > range.last) {
          throw new ProblemError(
            400,
            'Date outside the data',
            `from ${body.from} is after the last day with data (${range.last}): ${pick}`,
            [{ path: 'from', message: pick }],
          );
        }
        // A period before the data would be one nobody lived, every power user in it "lost".
        if (body.from !== undefined && body.from < range.first) {
          throw new ProblemError(
            400,
            'Date outside the data',
            `from ${body.from} is before the first day with data (${range.first}): ${pick}`,
            [{ path: 'from', message: pick }],
          );
        }
        const latest = await latestSnapshotPeriod(engine, {
          projectId,
          definition: definition.name,
          period,
          dialect: d,
        });
        const start = body.from ?? latest ?? range.last;
        if (start > range.last) {
          throw new ProblemError(
            400,
            'Snapshots ahead of the data',
            `snapshots are stored up to the ${period} of ${start}, after the last day with data (${range.last}): backfill from a day within the data to replace them`,
          );
        }
        const periods = periodsBetween(start, range.last, period).length;
        if (periods > MAX_SNAPSHOT_PERIODS) {
          throw new ProblemError(
            400,
            'Too many periods at once',
            `${periods} ${period}s from ${start} to ${range.last} are more than one request stores (${MAX_SNAPSHOT_PERIODS}): backfill from a later day first (the periods before it stay as they are), or use a longer period`,
            body.from !== undefined
              ? [{ path: 'from', message: `at most ${MAX_SNAPSHOT_PERIODS} ${period}s` }]
              : undefined,
          );
        }
        const run = await runSnapshots(engine, {
          projectId,
          definition,
          catalogue: config.catalogue,
          segments,
          period,
          from: body.from,
          asOf: range.last,
          maxPeriods: MAX_SNAPSHOT_PERIODS,
        });
        return {
          definition: run.definition,
          period: run.period,
          periods: run.periods.map((p) => ({
            ...p,
            users: Number(p.users),
            power_users: Number(p.power_users),
          })),
        };
      });
    },
  );
}
