import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../../engines/engine.js';
import { type CollectorLimits, DEFAULT_COLLECTOR_LIMITS } from '../../model/collector-config.js';
import {
  compileFailedEventsById,
  compileRejectAgain,
  compileResolveFailedEvents,
} from '../../sql/compile-failed-events.js';
import type { FailedEventRow } from './failed-event-row.js';
import { rawText } from './json-values.js';
import { loadSegment } from './load-segment.js';
import type { LogRecord } from './log-record.js';
import { normalizePostHog } from './normalize-posthog.js';
import { type Normalized, normalizeSegment } from './normalize-segment.js';

/** A rejected message to try again: its failed_events id and, when edited, the new message. */
export interface Resubmission {
  failed_id: string;
  /** The fixed message; absent: the stored raw payload as it is (after a config change). */
  message?: unknown;
}

export interface ResubmitReport {
  /** Re-submitted and stored (or found already stored): the rows are marked resolved. */
  stored: string[];
  /** Rejected again, with the reason now (kept in failed_events with it). */
  rejected: { failed_id: string; reason: string }[];
  /** Rows that cannot be re-submitted here, and why. */
  skipped: { failed_id: string; why: string }[];
}

/**
 * Runs rejected collector messages through the collector's own checks again, after a fix to the
 * message or to the config, and stores those that now pass exactly as the collector would have
 * (same dedupe, dirty days, identity links). A message without an id gets one derived from its
 * failed_events id, so re-submitting twice stores it once. Rows from file imports are skipped:
 * the fix for those is to correct the file and import it again (the import replaces its own
 * rejected rows and skips what it already stored).
 */
export async function resubmitFailed(
  engine: Engine,
  projectId: string,
  items: readonly Resubmission[],
  options: { limits?: CollectorLimits; now?: Date } = {},
): Promise<ResubmitReport> {
  const limits = options.limits ?? DEFAULT_COLLECTOR_LIMITS;
  const now = options.now ?? new Date();
  const report: ResubmitReport = { stored: [], rejected: [], skipped: [] };
  if (items.length === 0) return report;
  const d = engine.dialect;
  const byId = compileFailedEventsById(
    d,
    projectId,
    items.map((i) => i.failed_id),
  );
  const rows = new Map(
    (await engine.query<FailedEventRow>(byId.sql, byId.params)).map((r) => [r.failed_id, r]),
  );
  const records: LogRecord[] = [];
  for (const item of items) {
    const row = rows.get(item.failed_id);
    const skip = (why: string) => report.skipped.push({ failed_id: item.failed_id, why });
    if (!row) {
      skip(`no rejected row ${item.failed_id} in project ${projectId}`);
      continue;
    }
    if (row.resolved_at) {
      skip(`already re-submitted and stored at ${row.resolved_at}`);
      continue;
    }
    if (row.source !== 'segment' && row.source !== 'posthog') {
      skip(`from ${row.source}: correct the file and import it again`);
      continue;
    }
    let message = item.message;
    if (message === undefined) {
      try {
        message = JSON.parse(row.raw ?? '');
      } catch {
        skip('the stored payload is not whole JSON (cut at 1 MB): export it, fix it, re-submit');
        continue;
      }
    }
    const r = normalizeAgain(message, row, projectId, limits);
    if (!r.ok) {
      report.rejected.push({ failed_id: row.failed_id, reason: r.reason });
      continue;
    }
    // Stored now: received_at is when it was stored, which the 8-day dedupe window reads.
    records.push({ ...r.record, received_at: now.toISOString() });
    report.stored.push(row.failed_id);
  }
  await engine.transaction(async () => {
    if (records.length > 0) {
      const dir = await mkdtemp(join(tmpdir(), 'powerlens-resubmit-'));
      try {
        const file = join(dir, 'resubmitted.ndjson');
        await writeFile(file, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
        await loadSegment(engine, file, { dedupeDays: 3650, now });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      const resolved = compileResolveFailedEvents(d, projectId, report.stored, now.toISOString());
      await engine.run(resolved.sql, resolved.params);
    }
    const edits = new Map(items.map((i) => [i.failed_id, i.message]));
    for (const r of report.rejected) {
      const edited = edits.get(r.failed_id);
      const again = compileRejectAgain(d, {
        projectId,
        failedId: r.failed_id,
        reason: r.reason,
        raw: edited === undefined ? null : rawText(edited),
      });
      await engine.run(again.sql, again.params);
    }
  });
  return report;
}

/** The collector's checks for the row's route, as at its first arrival. */
function normalizeAgain(
  message: unknown,
  row: FailedEventRow,
  projectId: string,
  limits: CollectorLimits,
): Normalized {
  const route = row.source === 'segment' ? limits.segment : limits.posthog;
  const size = Buffer.byteLength(JSON.stringify(message) ?? '', 'utf8');
  if (size > route.maxEventBytes) {
    return { ok: false, reason: `message of ${size} bytes, the limit is ${route.maxEventBytes}` };
  }
  const ctx = {
    projectId,
    source: row.source,
    // Clock-skew correction measures against the time the message first arrived.
    receivedAt: new Date(row.failed_at),
    newId: () => `resubmitted-${row.failed_id}`,
  };
  return row.source === 'segment' ? normalizeSegment(message, ctx) : normalizePostHog(message, ctx);
}
