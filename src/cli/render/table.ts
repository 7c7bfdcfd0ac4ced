import pc from 'picocolors';

/**
 * A plain aligned text table: the first column left-aligned, the others right-aligned (numbers)
 * unless listed in `text` (column indexes of words, left-aligned too).
 */
export function renderTable(
  header: string[],
  rows: string[][],
  indent = '  ',
  text: readonly number[] = [],
): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const left = (i: number) => i === 0 || text.includes(i);
  const fmt = (cells: string[]) =>
    indent +
    cells
      .map((c, i) => (left(i) ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      // A left-aligned last column would end in padding.
      .replace(/ +$/, '');
  return [fmt(header), ...rows.map(fmt)];
}

/** A rendered table as terminal lines: the header dimmed, so the rows stand out. */
export function dimHeader(table: readonly string[]): string[] {
  return [pc.dim(table[0] ?? ''), ...table.slice(1)];
}
