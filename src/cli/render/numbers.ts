/**
 * Numbers in the CLI's text output, written the one way a reader expects: 9,351 rows, not 9351.
 * JSON and CSV output keep plain numbers for the programs that read them.
 */
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** A count of events, users, rows, days: 12,345. */
export function formatCount(value: number): string {
  return whole.format(value);
}

/** A measure such as a median: at most one decimal, 1,234.5. */
export function formatNumber(value: number): string {
  return oneDecimal.format(value);
}
