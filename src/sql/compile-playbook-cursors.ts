import type { Dialect } from '../dialect/dialect.js';
import type { Compiled } from './compile-outbox.js';

/**
 * Where each playbook's trigger evaluation stands (DuckDB migration 11): the last snapshot
 * period evaluated, which the next run starts from.
 */

/** The project's cursors (`playbook`, `start`). */
export function compileReadCursors(d: Dialect, projectId: string): Compiled {
  return {
    sql: `SELECT playbook, ${d.dateText('period_start')} AS start FROM playbook_cursors
WHERE project_id = ${d.param('p', 'String')}`,
    params: { p: projectId },
  };
}

/** Moves one playbook's cursor to a period (never back: a later run may have gone further). */
export function compileSaveCursor(
  d: Dialect,
  row: { project_id: string; playbook: string; period_start: string; evaluated_at: string },
): Compiled {
  return {
    sql: `INSERT INTO playbook_cursors (project_id, playbook, period_start, evaluated_at)
VALUES (${d.param('project_id', 'String')}, ${d.param('playbook', 'String')},
  ${d.param('period_start', 'Date')}, ${d.param('evaluated_at', 'DateTime')})
ON CONFLICT (project_id, playbook) DO UPDATE SET
  period_start = greatest(playbook_cursors.period_start, excluded.period_start),
  evaluated_at = excluded.evaluated_at`,
    params: { ...row },
  };
}
