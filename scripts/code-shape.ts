/**
 * The shape of the code: the largest files and the longest functions under the folders given
 * (default src and dashboard/src), to see where a file or a function has taken on several roles.
 *
 *   node --import tsx scripts/code-shape.ts [--top N] [--json] [folders...]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import ts from 'typescript';

export interface FileShape {
  file: string;
  lines: number;
}

export interface FunctionShape {
  file: string;
  name: string;
  line: number;
  lines: number;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) && !/\.gen\.ts$/.test(e.name))
      out.push(p);
  }
  return out;
}

function nameOf(node: ts.Node, sf: ts.SourceFile): string {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name !== undefined) {
    return node.name.getText(sf);
  }
  // An arrow or function expression: named by what it is assigned to or passed as.
  const parent = node.parent;
  if (parent !== undefined && ts.isVariableDeclaration(parent)) return parent.name.getText(sf);
  if (parent !== undefined && ts.isPropertyAssignment(parent)) return parent.name.getText(sf);
  if (parent !== undefined && ts.isCallExpression(parent)) {
    return `(callback of ${parent.expression.getText(sf).replace(/\s+/g, ' ').slice(0, 40)})`;
  }
  return '(anonymous)';
}

export function codeShape(folders: readonly string[]): {
  files: FileShape[];
  functions: FunctionShape[];
} {
  const files: FileShape[] = [];
  const functions: FunctionShape[] = [];
  for (const file of folders.flatMap(sourceFiles)) {
    const text = readFileSync(file, 'utf8');
    files.push({ file, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0) });
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (
        ts.isFunctionDeclaration(node) ||
        ts.isMethodDeclaration(node) ||
        ts.isArrowFunction(node) ||
        ts.isFunctionExpression(node)
      ) {
        const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
        const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
        functions.push({ file, name: nameOf(node, sf), line: start, lines: end - start + 1 });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  files.sort((a, b) => b.lines - a.lines);
  functions.sort((a, b) => b.lines - a.lines);
  return { files, functions };
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1]);
if (isMain) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '15' }, json: { type: 'boolean', default: false } },
  });
  const top = Number(values.top);
  const shape = codeShape(positionals.length > 0 ? positionals : ['src', 'dashboard/src']);
  if (values.json) {
    console.log(
      JSON.stringify(
        { files: shape.files.slice(0, top), functions: shape.functions.slice(0, top) },
        null,
        2,
      ),
    );
  } else {
    console.log('largest files (lines)');
    for (const f of shape.files.slice(0, top))
      console.log(`  ${String(f.lines).padStart(5)}  ${f.file}`);
    console.log('longest functions (lines)');
    for (const f of shape.functions.slice(0, top)) {
      console.log(`  ${String(f.lines).padStart(5)}  ${f.name}  ${f.file}:${f.line}`);
    }
  }
}
