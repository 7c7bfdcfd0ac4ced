/**
 * Every relative import of the code, read with the TypeScript compiler's parser (so `import type`,
 * `export ... from`, `import()` and `typeof import()` are all seen as the compiler sees them), as
 * edges between repository-relative files.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  /** Repository-relative, with forward slashes. */
  from: string;
  /** Repository-relative path of the resolved file, or the specifier itself when unresolved. */
  to: string;
  specifier: string;
  typeOnly: boolean;
  resolved: boolean;
}

export const CODE_FILE = /\.(ts|tsx|mts|cts)$/;
export const TEST_FILE = /\.test\.(ts|tsx|mts|cts)$/;

export function posix(p: string): string {
  return p.split(sep).join('/');
}

/** Every code file under `dir` (absolute), skipping node_modules and test files. */
export function codeFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name === 'node_modules') continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (CODE_FILE.test(name) && !TEST_FILE.test(name) && !name.endsWith('.d.ts')) {
        out.push(p);
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** The import declarations of one source text, type-only ones marked. */
export function importsOf(
  fileName: string,
  text: string,
): { specifier: string; typeOnly: boolean }[] {
  const kind = fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, kind);
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      let typeOnly = false;
      if (clause) {
        const named = clause.namedBindings;
        typeOnly =
          clause.isTypeOnly ||
          (!clause.name &&
            named !== undefined &&
            ts.isNamedImports(named) &&
            named.elements.length > 0 &&
            named.elements.every((e) => e.isTypeOnly));
      }
      found.push({ specifier: node.moduleSpecifier.text, typeOnly });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const clause = node.exportClause;
      const typeOnly =
        node.isTypeOnly ||
        (clause !== undefined &&
          ts.isNamedExports(clause) &&
          clause.elements.length > 0 &&
          clause.elements.every((e) => e.isTypeOnly));
      found.push({ specifier: node.moduleSpecifier.text, typeOnly });
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      found.push({
        specifier: node.moduleReference.expression.text,
        typeOnly: node.isTypeOnly,
      });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false });
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** The file a relative specifier names (`./x.js` is `./x.ts`, as NodeNext and Vite resolve it). */
export function resolveRelative(fromFile: string, specifier: string): string | undefined {
  const base = resolve(dirname(fromFile), specifier);
  const stem = base.replace(/\.(c|m)?jsx?$/, '');
  const candidates = [
    base,
    `${stem}.ts`,
    `${stem}.tsx`,
    `${stem}.mts`,
    `${stem}.cts`,
    `${base}.ts`,
    `${base}.tsx`,
    join(base, 'index.ts'),
    join(base, 'index.tsx'),
  ];
  const found = candidates.find((c) => existsSync(c) && statSync(c).isFile());
  // A generated file (dashboard/src/api-types.gen.ts) exists only once a build or pretest wrote
  // it: the import is still where it points, so vitest alone on a fresh clone checks it too.
  return found ?? (/\.gen\.js$/.test(specifier) ? `${stem}.ts` : undefined);
}

/** Every relative import of every code file under the given folders (repository-relative). */
export function importGraph(root: string, folders: string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const folder of folders) {
    for (const file of codeFiles(join(root, folder))) {
      const from = posix(relative(root, file));
      for (const { specifier, typeOnly } of importsOf(file, readFileSync(file, 'utf8'))) {
        if (!specifier.startsWith('.')) continue;
        const target = resolveRelative(file, specifier);
        edges.push({
          from,
          to: target ? posix(relative(root, target)) : specifier,
          specifier,
          typeOnly,
          resolved: target !== undefined,
        });
      }
    }
  }
  return edges;
}

/** The `May import:` rule of a README, or problems with it. `srcDir` is absolute. */
