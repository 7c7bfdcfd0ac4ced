import { type Cast, stringify } from 'csv-stringify/sync';

/**
 * A spreadsheet runs a cell that starts with one of these as a formula (tab and carriage return
 * are stripped before it looks), so an id or a name someone sent us could run as code on whoever
 * opens an export. OWASP's list, plus NUL, which OWASP's ASVS adds.
 */
const FORMULA_START = /^[=+\-@\t\r\0]/;

/** True when a spreadsheet would read this text cell as a formula. */
export function startsLikeFormula(value: string): boolean {
  return FORMULA_START.test(value);
}

/**
 * OWASP's CSV Injection advice: a leading single quote, in a quoted cell, so the spreadsheet shows
 * the text instead of running it.
 */
const textCell: Cast<string> = (value) =>
  startsLikeFormula(value) ? { value: `'${value}`, quoted: true } : value;

/**
 * Rows (the header first) as CSV, the way every CSV the product writes is written. Only text cells
 * are neutralised: the numbers we write (a trend of -12) keep their sign and stay numbers.
 */
export function toCsv(rows: readonly (readonly unknown[])[]): string {
  return stringify(
    rows.map((r) => [...r]),
    { cast: { boolean: (v) => String(v), string: textCell } },
  );
}
