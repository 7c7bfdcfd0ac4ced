import type { Dialect } from '../dialect/dialect.js';
import type { Compiled } from './compile-outbox.js';

/**
 * The installation's own settings (DuckDB migration 12): values it makes once and keeps, such as
 * the key unsubscribe links are signed with.
 */

/** Keeps a value under a name unless one is there already (the first one made stays). */
export function compileKeepSetting(
  d: Dialect,
  row: { name: string; value: string; created_at: string },
): Compiled {
  return {
    sql: `INSERT INTO instance_settings (name, value, created_at)
VALUES (${d.param('name', 'String')}, ${d.param('value', 'String')}, ${d.param('created_at', 'DateTime')})
ON CONFLICT DO NOTHING`,
    params: { ...row },
  };
}

/** The value kept under a name (`value`), if any. */
export function compileSetting(d: Dialect, name: string): Compiled {
  return {
    sql: `SELECT value FROM instance_settings WHERE name = ${d.param('name', 'String')}`,
    params: { name },
  };
}
