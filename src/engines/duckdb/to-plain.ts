/**
 * DuckDB's JS conversion yields bigint for BIGINT/HUGEINT and Date for temporal types. Callers want
 * JSON-ready rows, so counts become numbers (exact below 2^53, which every count here is) and
 * instants become ISO-8601 text.
 */
export function toPlain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlain(v);
    return out;
  }
  return value;
}

export function rowToPlain(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = toPlain(v);
  return out;
}
