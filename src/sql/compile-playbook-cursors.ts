import type { Dialect } from '../dialect/dialect.js';
import type { Compiled } from './compile-outbox.js';

/**
 * Where each playbook's trigger evaluation stands (DuckDB migration 11): the last snapshot
 * period evaluated, which the next run starts from, and what it was evaluated for.
 */

/** The project's cursors (`playbook`, `start`, `signature`). */
export function compileReadCursors(d: Dialect, projectId: string): Compiled {
  return {
    sql: `SELECT playbook, ${d.dateText('period_start')} AS start, signature FROM playbook_cursors
WHERE project_id = ${d.param('p', 'String')}`,
    params: { p: projectId },
  };
}

/**
 * Moves one playbook's cursor to a period: never back while it is for the same thing (a later
 * run may have gone further), anywhere when the signature changed (a new trigger starts anew).
 */
export function compileSaveCursor(
  d: Dialect,
  row: {
    project_id: string;
    playbook: string;
    period_start: string;
    signature: string;
    evaluated_at: string;
  },
): Compiled {
  return {
    sql: `INSERT INTO playbook_cursors (project_id, playbook, period_start, signature, evaluated_at)
VALUES (${d.param('project_id', 'String')}, ${d.param('playbook', 'String')},
  ${d.param('period_start', 'Date')}, ${d.param('signature', 'String')},
  ${d.param('evaluated_at', 'DateTime')})
ON CONFLICT (project_id, playbook) DO UPDATE SET
  period_start = CASE WHEN playbook_cursors.signature = excluded.signature
    THEN greatest(playbook_cursors.period_start, excluded.period_start)
    ELSE excluded.period_start END,
  signature = excluded.signature,
  evaluated_at = excluded.evaluated_at`,
    params: { ...row },
  };
}

/** Forgets one playbook's cursor (disabled or gone: when back, it starts at the latest period). */
export function compileForgetCursor(d: Dialect, projectId: string, playbook: string): Compiled {
  return {
    sql: `DELETE FROM playbook_cursors
WHERE project_id = ${d.param('p', 'String')} AND playbook = ${d.param('playbook', 'String')}`,
    params: { p: projectId, playbook },
  };
}
