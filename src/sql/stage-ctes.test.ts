import { describe, expect, it } from 'vitest';
import { clickhouse } from '../dialect/clickhouse.js';
import { duckdb } from '../dialect/duckdb.js';
import { splitWith, stageCtes } from './stage-ctes.js';

const SQL = `WITH
  -- The user's rows (a comment's "quote", apostrophe's and parenthesis ( do not count).
  a AS (SELECT x FROM t WHERE s = 'it''s (not) a paren' AND y IN (1, (2))),
  b AS (SELECT count(*) AS n FROM a),
  -- c reads a and b.
  c AS (SELECT x, (SELECT n FROM b) AS n FROM a WHERE \`odd)name\` = ')')
  SELECT * FROM c JOIN b ON true`;

describe('splitWith', () => {
  it('finds each CTE whole, past comments, strings, quoted names and nested parentheses', () => {
    const { ctes, tail } = splitWith(SQL);
    expect(ctes.map((c) => c.name)).toEqual(['a', 'b', 'c']);
    expect(ctes[0]?.body).toBe("SELECT x FROM t WHERE s = 'it''s (not) a paren' AND y IN (1, (2))");
    expect(ctes[2]?.body).toBe("SELECT x, (SELECT n FROM b) AS n FROM a WHERE `odd)name` = ')'");
    expect(tail).toBe('SELECT * FROM c JOIN b ON true');
  });

  it('says what it expected when the statement is not a WITH list', () => {
    expect(() => splitWith('SELECT 1')).toThrow('no WITH clause');
    expect(() => splitWith('WITH a AS (SELECT 1')).toThrow('unbalanced (');
  });
});

describe('stageCtes', () => {
  it('computes each named CTE once into a scratch table that later CTEs read', () => {
    const staged = stageCtes(SQL, ['a', 'b'], clickhouse, 'run');
    expect(staged.statements).toHaveLength(2);
    expect(staged.statements[0]).toContain('TEMPORARY TABLE run_a');
    expect(staged.statements[0]).toMatch(/SELECT \* FROM a$/);
    // b's own statement reads a from a's table.
    expect(staged.statements[1]).toContain('a AS (SELECT * FROM run_a)');
    expect(staged.sql).toContain('a AS (SELECT * FROM run_a)');
    expect(staged.sql).toContain('b AS (SELECT * FROM run_b)');
    expect(staged.sql).toMatch(/SELECT \* FROM c JOIN b ON true$/);
  });

  it('leaves the statement as it is on an engine that computes a shared CTE once', () => {
    expect(stageCtes(SQL, ['a'], duckdb, 'run')).toEqual({ statements: [], sql: SQL });
  });

  it('names a CTE that is not there', () => {
    expect(() => stageCtes(SQL, ['zz'], clickhouse, 'run')).toThrow('no CTE named zz');
  });
});
