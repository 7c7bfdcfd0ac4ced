/**
 * ClickHouse values as the DuckDB engine gives them (engine.ts: JSON-ready rows): 64-bit integers
 * as numbers (ClickHouse's JSON quotes them), instants and dates as ISO-8601 text in UTC.
 */
export function fromClickHouse(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  const inner = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(type)?.[1];
  if (inner) return fromClickHouse(value, inner);
  const item = /^Array\((.*)\)$/.exec(type)?.[1];
  if (item && Array.isArray(value)) return value.map((v) => fromClickHouse(v, item));
  if (/^U?Int(64|128|256)$/.test(type) && typeof value === 'string') return Number(value);
  if (/^Decimal/.test(type) && typeof value === 'string') return Number(value);
  if (/^Date(32)?$/.test(type) && typeof value === 'string') return `${value}T00:00:00.000Z`;
  if (/^DateTime/.test(type) && typeof value === 'string') {
    // Rendered in the column's zone, which the schema pins to UTC.
    const [date, time = '00:00:00'] = value.split(' ');
    const [hms, frac = ''] = time.split('.');
    return `${date}T${hms}.${frac.padEnd(3, '0').slice(0, 3)}Z`;
  }
  return value;
}

/** JSONCompactEachRowWithNamesAndTypes (names, types, then one array per row) as plain rows. */
export function rowsOfCompact<T>(text: string): T[] {
  const lines = text.split('\n').filter((l) => l !== '');
  const [names = [], types = [], ...rows] = lines.map((l) => JSON.parse(l) as unknown[]);
  return rows.map((values) => {
    const row: Record<string, unknown> = {};
    names.forEach((n, i) => {
      row[String(n)] = fromClickHouse(values[i], String(types[i] ?? 'String'));
    });
    return row as T;
  });
}
