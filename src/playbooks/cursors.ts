import type { Engine } from '../engines/engine.js';
import { compileReadCursors, compileSaveCursor } from '../sql/compile-playbook-cursors.js';

/**
 * Each playbook's cursor: the last snapshot period its triggers were evaluated in. A run
 * evaluates from there to the latest period, so a period no run saw (serve stopped for a week,
 * a cron that failed) is still evaluated, and the period evaluated while partial is evaluated
 * again once complete. A playbook without a cursor (new) starts at the latest period: it does
 * not fire for the past.
 */

/** The project's cursors: playbook name → first day of the last period evaluated. */
export async function readCursors(engine: Engine, projectId: string): Promise<Map<string, string>> {
  // Without an outbox (ClickHouse for now) nothing was evaluated before: the latest period only.
  if (!engine.dialect.capabilities.transactions) return new Map();
  const q = compileReadCursors(engine.dialect, projectId);
  const rows = await engine.query<{ playbook: string; start: string }>(q.sql, q.params);
  return new Map(rows.map((r) => [r.playbook, r.start]));
}

/** Moves the cursors of the playbooks evaluated to the periods they reached. */
export async function saveCursors(
  engine: Engine,
  projectId: string,
  reached: ReadonlyMap<string, string>,
  now: Date,
): Promise<void> {
  for (const [playbook, periodStart] of reached) {
    const q = compileSaveCursor(engine.dialect, {
      project_id: projectId,
      playbook,
      period_start: periodStart,
      evaluated_at: now.toISOString(),
    });
    await engine.run(q.sql, q.params);
  }
}
