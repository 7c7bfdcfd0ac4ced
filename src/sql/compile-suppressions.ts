import type { Dialect } from '../dialect/dialect.js';
import type { Compiled } from './compile-outbox.js';

/**
 * The suppression list of playbook e-mail (docs/playbooks.md, "E-mail"; DuckDB migration 10):
 * addresses, trimmed and lower case, that no later e-mail delivery is sent to.
 */

/** Adds an address to the project's list; one already there keeps its first reason. */
export function compileSuppress(
  d: Dialect,
  row: { project_id: string; address: string; reason: string; created_at: string },
): Compiled {
  return {
    sql: `INSERT INTO playbook_suppressions (project_id, address, reason, created_at)
VALUES (${d.param('project_id', 'String')}, ${d.param('address', 'String')},
  ${d.param('reason', 'String')}, ${d.param('created_at', 'DateTime')})
ON CONFLICT DO NOTHING`,
    params: { ...row },
  };
}

/** The row of an address in the project's list (`address`, `reason`), if any. */
export function compileSuppression(d: Dialect, projectId: string, address: string): Compiled {
  return {
    sql: `SELECT address, reason FROM playbook_suppressions
WHERE project_id = ${d.param('p', 'String')} AND address = ${d.param('address', 'String')}`,
    params: { p: projectId, address },
  };
}

/** Which of a list of addresses are on the project's list (`address`). */
export function compileSuppressedAmong(
  d: Dialect,
  projectId: string,
  addresses: readonly string[],
): Compiled {
  return {
    sql: `SELECT address FROM playbook_suppressions
WHERE project_id = ${d.param('p', 'String')}
  AND ${d.inList('address', d.param('addresses', 'Array(String)'))}`,
    params: { p: projectId, addresses: [...addresses] },
  };
}
