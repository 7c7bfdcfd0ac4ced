import type { SqlValue } from '../../dialect/sql-value.js';

/** Collects bound values and hands out their placeholders ($v0, $v1, ...) for SQL text. */
export class ParamBag {
  readonly values: Record<string, SqlValue> = {};
  private n = 0;
  add(value: SqlValue): string {
    const name = `v${this.n++}`;
    this.values[name] = value;
    return `$${name}`;
  }
}
