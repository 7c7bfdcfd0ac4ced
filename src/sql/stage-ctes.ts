import type { Dialect } from '../dialect/dialect.js';

export interface Cte {
  name: string;
  body: string;
}

/** Index just past the quoted text, comment or bracketed group that starts at `i`. */
function skipToken(sql: string, i: number): number {
  const c = sql[i];
  if (c === '-' && sql[i + 1] === '-') {
    const end = sql.indexOf('\n', i);
    return end < 0 ? sql.length : end + 1;
  }
  if (c === "'" || c === '"' || c === '`') {
    let j = i + 1;
    while (j < sql.length) {
      if (sql[j] === '\\') j += 2;
      else if (sql[j] === c && sql[j + 1] === c) j += 2;
      else if (sql[j] === c) return j + 1;
      else j += 1;
    }
    throw new Error(`unterminated ${c} in SQL at ${i}`);
  }
  if (c === '(') {
    let j = i + 1;
    while (j < sql.length) {
      if (sql[j] === ')') return j + 1;
      j = skipToken(sql, j);
    }
    throw new Error(`unbalanced ( in SQL at ${i}`);
  }
  return i + 1;
}

function skipSpace(sql: string, i: number): number {
  let j = i;
  for (;;) {
    while (j < sql.length && /\s/.test(sql[j] ?? '')) j += 1;
    if (sql.startsWith('--', j)) j = skipToken(sql, j);
    else return j;
  }
}

/** A `WITH a AS (...), b AS (...) SELECT ...` statement's CTEs, in order, and the rest. */
export function splitWith(sql: string): { ctes: Cte[]; tail: string } {
  let i = skipSpace(sql, 0);
  if (!/^WITH\s/i.test(sql.slice(i, i + 5))) throw new Error('the statement has no WITH clause');
  i += 4;
  const ctes: Cte[] = [];
  for (;;) {
    i = skipSpace(sql, i);
    const head = /^([A-Za-z_][A-Za-z0-9_]*)\s+AS\s*\(/i.exec(sql.slice(i));
    if (!head?.[1]) throw new Error(`expected "name AS (" in the WITH clause at ${i}`);
    const open = i + head[0].length - 1;
    const close = skipToken(sql, open);
    ctes.push({ name: head[1], body: sql.slice(open + 1, close - 1) });
    i = skipSpace(sql, close);
    if (sql[i] !== ',') return { ctes, tail: sql.slice(i) };
    i += 1;
  }
}

const withClause = (ctes: readonly Cte[]) =>
  `WITH ${ctes.map((c) => `${c.name} AS (${c.body})`).join(',\n  ')}`;

/**
 * A statement whose named CTEs are computed once each, into scratch tables, before it runs: for
 * engines that compute a CTE again at every reference (ClickHouse); on the others, the statement
 * as it is. Each staged CTE is worked out
 * from the ones before it (a CTE sees only earlier ones) and then read from its table.
 */
export function stageCtes(
  sql: string,
  names: readonly string[],
  d: Dialect,
  prefix: string,
): { statements: string[]; sql: string } {
  if (d.capabilities.sharedCtesOnce) return { statements: [], sql };
  const { ctes, tail } = splitWith(sql);
  const statements: string[] = [];
  const staged: Cte[] = [];
  for (const cte of ctes) {
    if (names.includes(cte.name)) {
      const table = `${prefix}_${cte.name}`;
      statements.push(
        d.scratchTable(table, `${withClause([...staged, cte])}\n  SELECT * FROM ${cte.name}`),
      );
      staged.push({ name: cte.name, body: `SELECT * FROM ${table}` });
    } else {
      staged.push(cte);
    }
  }
  const missing = names.filter((n) => !ctes.some((c) => c.name === n));
  if (missing.length > 0) throw new Error(`no CTE named ${missing.join(', ')} to stage`);
  return { statements, sql: `${withClause(staged)}\n  ${tail}` };
}
