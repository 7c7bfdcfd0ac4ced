import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { dataRange } from '../../analysis/resolve-as-of.js';
import {
  countFailedEventsByReason,
  type FailedEventsFilter,
  listFailedEvents,
} from '../../ingest/collector/list-failed-events.js';
import { runSnapshots, SnapshotError } from '../../lifecycle/run-snapshots.js';
import { snapshotInput } from '../../lifecycle/snapshot-input.js';
import { snapshotStatus } from '../../lifecycle/snapshot-status.js';
import type { PeriodKind } from '../../time/periods.js';
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

/**
 * The data behind the reports, while serve holds the database: rejected messages, and the
 * snapshots the lifecycle and accounts read (stored, brought up to date, backfilled).
 */
export function registerDataRoutes(api: ZodApi, rc: RouteContext): void {
  const { engine, inTurn } = rc;

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
      const filter: FailedEventsFilter = {
        projectId: req.projectId,
        reason: q.reason,
        source: q.source,
        includeResolved: q.include_resolved === 'true',
        match: 'literal',
      };
      return inTurn(async () => {
        const { total, rows } = await listFailedEvents(engine, filter, {
          order: 'newest',
          limit: q.limit,
          offset: q.offset,
          rawChars: RAW_CHARS + 1,
          instantsAsText: true,
        });
        const by_reason = await countFailedEventsByReason(engine, filter, MAX_REASONS);
        return {
          total,
          limit: q.limit,
          offset: q.offset,
          by_reason,
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

  registerSnapshotRoutes(api, rc);
}

/** The snapshots the lifecycle and accounts read: what is stored, and storing more. */
function registerSnapshotRoutes(api: ZodApi, rc: RouteContext): void {
  const { engine, ctx, inTurn } = rc;
  const snapshots = (req: FastifyRequest, q: z.infer<typeof SnapshotsQuery>) => {
    const { config, projectId } = ctx(req);
    // Resolved, not only named: an unknown definition is a 404 before any work.
    return snapshotInput(config, projectId, q);
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
      const { projectId, definition, period } = snapshots(req, req.query);
      const status = await inTurn(() =>
        snapshotStatus(engine, { projectId, definition: definition.name, period }),
      );
      return {
        definition: definition.name,
        period,
        ...status,
        max_periods: MAX_SNAPSHOT_PERIODS,
      };
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
      const input = snapshots(req, body);
      return inTurn(async () => {
        const range = await dataRange(engine, input.projectId);
        if (!range) {
          throw new ProblemError(
            400,
            'No data yet',
            'there are no events to take snapshots of yet: send events to the collector or import them first',
          );
        }
        // A period before the data would be one nobody lived, every power user in it "lost".
        if (body.from !== undefined && body.from < range.first) {
          const pick = `pick a day from ${range.first} to ${range.last}`;
          throw new ProblemError(
            400,
            'Date outside the data',
            `from ${body.from} is before the first day with data (${range.first}): ${pick}`,
            [{ path: 'from', message: pick }],
          );
        }
        const run = await runSnapshots(engine, {
          ...input,
          from: body.from,
          asOf: range.last,
          maxPeriods: MAX_SNAPSHOT_PERIODS,
        }).catch((err: unknown) => {
          throw snapshotProblem(err, range, input.period, body.from);
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

/**
 * A refused snapshot run (SnapshotError) in the API's words: which field to change, without the
 * CLI's commands and flags. Any other error is left as it is.
 */
function snapshotProblem(
  err: unknown,
  range: { first: string; last: string },
  period: PeriodKind,
  from: string | undefined,
): unknown {
  if (!(err instanceof SnapshotError) || !err.refusal) return err;
  const r = err.refusal;
  switch (r.reason) {
    case 'from_after_as_of': {
      const pick = `pick a day from ${range.first} to ${range.last}`;
      return new ProblemError(
        400,
        'Date outside the data',
        `from ${r.from} is after the last day with data (${r.asOf}): ${pick}`,
        [{ path: 'from', message: pick }],
      );
    }
    case 'stored_after_as_of':
      return new ProblemError(
        400,
        'Snapshots ahead of the data',
        `snapshots are stored up to the ${period} of ${r.stored}, after the last day with data (${r.asOf}): backfill from a day within the data to replace them`,
      );
    case 'too_many_periods':
      return new ProblemError(
        400,
        'Too many periods at once',
        `${r.periods} ${period}s from ${r.from} to ${r.asOf} are more than one request stores (${r.max}): backfill from a later day first (the periods before it stay as they are), or use a longer period`,
        from !== undefined ? [{ path: 'from', message: `at most ${r.max} ${period}s` }] : undefined,
      );
  }
}
