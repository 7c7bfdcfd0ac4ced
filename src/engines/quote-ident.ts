/**
 * Identifiers (table and column names) come from code and configuration, never from request
 * values; they are still checked so a typo cannot turn into SQL.
 */
const SAFE_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function quoteIdent(name: string): string {
  if (!SAFE_IDENT.test(name)) {
    throw new Error(`"${name}" is not a valid identifier: use letters, digits and underscores.`);
  }
  return `"${name}"`;
}
