import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * SQL lives where SQL lives (docs/architecture.md): statements are written only in the compilers
 * of src/sql, in src/dialect (the pieces that differ between engines), in src/engines (schemas,
 * migrations, drivers) and in files named compile-*.ts (compilers that sit beside the code they
 * serve, such as the DuckDB file readers of src/ingest). A use case asks a compiler for its
 * statements and decides only which runs when. This test reads every other non-test .ts file
 * under src/ with the TypeScript parser and fails, naming file and line, on a string or template
 * literal that holds a statement. Comments are not literals, and only upper-case keywords count,
 * so prose ("select a project") does not trip it.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

/** Where SQL text may be written (src-relative, forward slashes). */
const ALLOWED_FOLDERS = ['sql/', 'dialect/', 'engines/'];
const COMPILER_FILE = /(^|\/)compile-[^/]*\.ts$/;

/**
 * PENDING: files of use cases that still hold SQL text of their own, being moved into compilers
 * by the engineers who own them. Each entry is a file the move has not reached yet; remove it
 * once the file holds no SQL (the test below fails on an entry that no longer needs to be here).
 * Nothing may be added to this list.
 */
const PENDING: readonly string[] = [];

/** A statement's opening words: upper-case keywords only, as the code writes SQL. */
const STATEMENT =
  /\b(?:SELECT|INSERT (?:OR (?:IGNORE|REPLACE) )?INTO|DELETE FROM|UPDATE \w+ SET|CREATE (?:OR REPLACE )?(?:TEMP |TEMPORARY )?(?:TABLE|VIEW|INDEX)|DROP (?:TABLE|VIEW)|ALTER TABLE)\b|\bCOPY \(/;

interface SqlFinding {
  /** src-relative path. */
  file: string;
  line: number;
  /** The matched keywords, for the message. */
  text: string;
}

/** The statements in the string and template literals of one file's source (never comments). */
function sqlInSource(file: string, source: string): SqlFinding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: SqlFinding[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    ) {
      // The literal as written: a template's parts without the expressions between them.
      const start = node.getStart(sf);
      const m = STATEMENT.exec(source.slice(start, node.getEnd()));
      if (m) {
        const { line } = sf.getLineAndCharacterOfPosition(start + m.index);
        found.push({ file, line: line + 1, text: m[0] });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function posix(p: string): string {
  return p.split(sep).join('/');
}

/** Every non-test .ts file under src/, src-relative. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
      out.push(posix(relative(SRC, path)));
    }
  }
  return out;
}

function allowed(file: string): boolean {
  return ALLOWED_FOLDERS.some((f) => file.startsWith(f)) || COMPILER_FILE.test(file);
}

describe('SQL text only in compilers, dialects and engines', () => {
  const files = sourceFiles(SRC).filter((f) => !allowed(f));
  const findings = files.flatMap((f) => sqlInSource(f, readFileSync(join(SRC, f), 'utf8')));

  it('no other file under src/ writes a statement', () => {
    const misplaced = findings
      .filter((f) => !PENDING.includes(f.file))
      .map(
        (f) => `src/${f.file}:${f.line}: ${f.text} (move it into a compiler: src/sql/compile-*.ts)`,
      );
    expect(misplaced).toEqual([]);
  });

  it('every PENDING file still holds SQL (an entry is removed once its file is clean)', () => {
    const stillPending = new Set(findings.map((f) => f.file));
    expect(PENDING.filter((f) => !stillPending.has(f))).toEqual([]);
  });
});

/** The scanner itself, on small sources with one of each case. */
describe('the SQL scanner', () => {
  it('finds statements in strings and in every part of a template', () => {
    const source = `const a = 'SELECT 1';
const b = \`DELETE FROM t WHERE x = \${x}\`;
const c = \`\${table}
  WHERE y = 1 \${more} UPDATE t SET y = 2\`;
const d = "INSERT OR IGNORE INTO t VALUES (1)";
const e = \`\${d.scratchTable('s', q)}\`, f = 'CREATE OR REPLACE TEMP TABLE s AS x';
const g = 'COPY (SELECT 1) TO x';`;
    expect(sqlInSource('x.ts', source).map((f) => [f.line, f.text])).toEqual([
      [1, 'SELECT'],
      [2, 'DELETE FROM'],
      [4, 'UPDATE t SET'],
      [5, 'INSERT OR IGNORE INTO'],
      [6, 'CREATE OR REPLACE TEMP TABLE'],
      [7, 'COPY ('],
    ]);
  });

  it('ignores comments, prose and identifiers', () => {
    const source = `// SELECT count(*) FROM events: what the compiler writes
/** DELETE FROM failed_events happens in compile-failed-events.ts */
const hint = 'select a project, or create one (insert into a new file)';
const name = 'SELECT_ALL';
const msg = \`Update the config, then select \${x} again\`;
const rows = engine.query(compileProjectIds().sql); // not SQL text: a compiler's`;
    expect(sqlInSource('x.ts', source)).toEqual([]);
  });
});
