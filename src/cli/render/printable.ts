/**
 * Text a client sent (a trait, a name) as one terminal cell: control characters, which would move
 * the cursor or recolour the terminal, become "?", and past `max` characters it is cut with "…".
 */
export function printable(text: string, max = Number.POSITIVE_INFINITY): string {
  const clean = text.replace(/\p{Cc}/gu, '?');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
