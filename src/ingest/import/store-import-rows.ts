import type { SqlParams } from '../../dialect/sql-value.js';
import type { Engine, QueryProgress } from '../../engines/engine.js';
import { compileDeleteFailedEventsOf } from '../../sql/compile-failed-events.js';
import type { ImportPlan } from './compile-import.js';
import { compileDropRejectTables, compileMarkImportDays } from './compile-import.js';

export interface RejectReason {
  reason: string;
  rows: number;
  example_lines: number[];
}

export interface StoreOptions {
  projectId: string;
  /** The failed_events source of this file's rows (`file:<path>`). */
  source: string;
  onProgress?: ((p: QueryProgress) => void) | undefined;
  progressIntervalMs?: number | undefined;
}

export interface StoredRows {
  imported: number;
  valid: number;
  invalid: number;
  reasons: RejectReason[];
  days: string[];
}

/**
 * Runs an import plan inside the caller's transaction: appends the valid rows, keeps the invalid
 * ones in failed_events with their reason, drops copies and events the project already had, and
 * marks the local days that received events for the rollup.
 */
export async function storeImportRows(
  engine: Engine,
  plan: ImportPlan,
  store: StoreOptions,
): Promise<StoredRows> {
  const run = (st: { sql: string; params: SqlParams }) => engine.run(st.sql, st.params);
  for (const drop of compileDropRejectTables()) await run(drop);
  await run(compileDeleteFailedEventsOf(engine.dialect, store.projectId, store.source));
  const [before] = await engine.query<{ n: number }>(
    plan.storedBefore.sql,
    plan.storedBefore.params,
  );
  const onProgress = store.onProgress;
  const inserted = onProgress
    ? await engine.runWithProgress(
        plan.insertEvents.sql,
        plan.insertEvents.params,
        onProgress,
        store.progressIntervalMs,
      )
    : await run(plan.insertEvents);
  // A file whose every row was stored has nothing to explain: skip the checking pass.
  const [rowCounts] = plan.countRows
    ? await engine.query<{ n: number; with_id: number; distinct_ids: number }>(
        plan.countRows.sql,
        plan.countRows.params,
      )
    : [];
  const total = rowCounts?.n ?? -1;
  const idsAllDistinct =
    rowCounts !== undefined && rowCounts.with_id === total && rowCounts.distinct_ids === total;
  const counts =
    total === inserted
      ? [{ reason: null, rows: inserted }]
      : await engine.query<{ reason: string | null; rows: number }>(
          plan.countByReason.sql,
          plan.countByReason.params,
        );
  const valid = counts.find((c) => c.reason === null)?.rows ?? 0;
  let invalid = counts.reduce((sum, c) => sum + (c.reason === null ? 0 : c.rows), 0);
  if (invalid > 0) await run(plan.insertFailures);
  if (plan.insertParseFailures) invalid += await run(plan.insertParseFailures);
  const [copies] = idsAllDistinct
    ? [{ ids: 0 }]
    : await engine.query<{ ids: number }>(plan.findCopies.sql, plan.findCopies.params);
  const copied = (copies?.ids ?? 0) > 0;
  // Numbered before the stored ids are compared: the third copy of a row is new to a project
  // that holds two.
  if (copied) await run(plan.numberCopies);
  const known = (before?.n ?? 0) > 0 ? await run(plan.deleteKnown) : 0;
  const removed = copied ? await run(plan.deleteCopies) : 0;
  const days = (
    await engine.query<{ day: string }>(plan.touchedDays.sql, plan.touchedDays.params)
  ).map((d) => d.day);
  if (days.length > 0) await run(compileMarkImportDays(store.projectId, days));
  const reasons =
    invalid > 0
      ? (
          await engine.query<{ reason: string; rows: number; example_lines: number[] }>(
            plan.rejectedSummary.sql,
            plan.rejectedSummary.params,
          )
        ).map((r) => ({ reason: r.reason, rows: r.rows, example_lines: r.example_lines }))
      : [];
  return { imported: inserted - known - removed, valid, invalid, reasons, days };
}
