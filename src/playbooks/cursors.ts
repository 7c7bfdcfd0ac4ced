import type { Engine } from '../engines/engine.js';
import type { Playbook } from '../model/playbook.js';
import {
  compileForgetCursor,
  compileReadCursors,
  compileSaveCursor,
} from '../sql/compile-playbook-cursors.js';
import type { Occurrence } from './occurrence.js';
import { triggerKey } from './occurrence-ids.js';
import { compareText } from './playbook-groups.js';
import { isLifecycleTrigger } from './triggers.js';

/**
 * Each playbook's cursor: the last snapshot period its lifecycle or segment trigger was
 * evaluated in. A run evaluates from there on, so a period no run saw (serve stopped for a week,
 * a cron that failed) is still evaluated, and the period evaluated while partial is evaluated
 * again once complete. A playbook without a cursor (new, re-enabled, or its trigger, definition
 * or period kind changed) starts at the latest period: it does not fire for the past.
 */

/** What a cursor is for: the trigger, the definition watched and the period kind. */
export function cursorSignature(playbook: Playbook, defaultDefinition: string, period: string) {
  return JSON.stringify([
    triggerKey(playbook.trigger),
    playbook.definition ?? defaultDefinition,
    period,
  ]);
}

export interface CursorScope {
  projectId: string;
  defaultDefinition: string;
  period: string;
}

/**
 * The cursors of these playbooks that still hold: the first day of the last period each one
 * was evaluated in, for the same trigger, definition and period kind.
 */
export async function readCursors(
  engine: Engine,
  scope: CursorScope,
  playbooks: Readonly<Record<string, Playbook>>,
): Promise<Map<string, string>> {
  // Without an outbox (ClickHouse for now) nothing was evaluated before: the latest period only.
  if (!engine.dialect.capabilities.transactions) return new Map();
  const q = compileReadCursors(engine.dialect, scope.projectId);
  const rows = await engine.query<{ playbook: string; start: string; signature: string }>(
    q.sql,
    q.params,
  );
  const out = new Map<string, string>();
  for (const r of rows) {
    const playbook = playbooks[r.playbook];
    if (!playbook) continue;
    if (r.signature === cursorSignature(playbook, scope.defaultDefinition, scope.period)) {
      out.set(r.playbook, r.start);
    }
  }
  return out;
}

/**
 * Where each evaluated playbook's cursor goes: the latest period it was evaluated in, or, when
 * max_per_run left some of its occurrences for later, the earliest period of those (evaluated
 * again next time, so they fire then; what was recorded is not recorded twice).
 */
export function cursorsAfterRun(
  reached: ReadonlyMap<string, string>,
  leftForLater: readonly Occurrence[],
): Map<string, string> {
  const out = new Map(reached);
  for (const o of leftForLater) {
    const at = out.get(o.playbook);
    if (at !== undefined && compareText(o.period_start, at) < 0)
      out.set(o.playbook, o.period_start);
  }
  return out;
}

/**
 * Saves the cursors the run moved, and forgets those of the project's playbooks that are off,
 * gone, or no longer on a lifecycle trigger: a playbook enabled again starts at the latest
 * period instead of firing for every period it missed while off.
 */
export async function saveCursors(
  engine: Engine,
  scope: CursorScope,
  moved: ReadonlyMap<string, string>,
  configured: Readonly<Record<string, Playbook>>,
  now: Date,
): Promise<void> {
  for (const [name, periodStart] of moved) {
    const playbook = configured[name];
    if (!playbook) continue;
    const q = compileSaveCursor(engine.dialect, {
      project_id: scope.projectId,
      playbook: name,
      period_start: periodStart,
      signature: cursorSignature(playbook, scope.defaultDefinition, scope.period),
      evaluated_at: now.toISOString(),
    });
    await engine.run(q.sql, q.params);
  }
  const read = compileReadCursors(engine.dialect, scope.projectId);
  const stored = await engine.query<{ playbook: string }>(read.sql, read.params);
  for (const { playbook: name } of stored) {
    const playbook = configured[name];
    if (playbook?.enabled && isLifecycleTrigger(playbook.trigger)) continue;
    const q = compileForgetCursor(engine.dialect, scope.projectId, name);
    await engine.run(q.sql, q.params);
  }
}
