/**
 * The import rules of src/ and dashboard/, read from their README files and checked against every
 * import the code makes (read with the TypeScript compiler's parser, so `import type`,
 * `export ... from`, `import()` and `typeof import()` are all seen as the compiler sees them).
 *
 * A README's rule is its one line starting `May import:`, followed by a comma-separated list of
 * src-relative folder names or `nothing`; `(types only)` after a name allows only type-only imports
 * from that folder. A file follows the rule of its top-level folder under src/ and, in addition,
 * of every README with a `May import:` line in the folders between (a subfolder narrows the rule).
 * Imports within the same top-level folder are always allowed; file-level cycles are not.
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

export interface RuleEntry {
  /** src-relative folder, e.g. `engines` or `ingest/collector`. */
  folder: string;
  typesOnly: boolean;
}

export interface Rule {
  /** Repository-relative README path. */
  readme: string;
  /** What the rule is called in messages: `ingest`, `ingest/import`, `dashboard`. */
  name: string;
  entries: RuleEntry[];
}

const CODE_FILE = /\.(ts|tsx|mts|cts)$/;
const TEST_FILE = /\.test\.(ts|tsx|mts|cts)$/;
const MAY_IMPORT = /^May import:(.*)$/gm;

function posix(p: string): string {
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
export function readRule(
  root: string,
  readme: string,
  name: string,
  srcDir: string,
): { rule?: Rule; problems: string[] } {
  const path = join(root, readme);
  if (!existsSync(path)) return { problems: [`${readme} is missing: "${name}" has no rule`] };
  const lines = [...readFileSync(path, 'utf8').matchAll(MAY_IMPORT)];
  if (lines.length === 0) {
    return { problems: [`${readme} has no line starting "May import:"`] };
  }
  if (lines.length > 1) {
    return { problems: [`${readme} has ${lines.length} lines starting "May import:", not one`] };
  }
  const list = (lines[0]?.[1] ?? '').trim().replace(/\.$/, '').trim();
  if (list === 'nothing') return { rule: { readme, name, entries: [] }, problems: [] };
  const problems: string[] = [];
  const entries: RuleEntry[] = [];
  for (const raw of list.split(',')) {
    const m = /^([A-Za-z0-9_./-]+)(\s*\(types only\))?$/.exec(raw.trim());
    if (!m?.[1]) {
      problems.push(`${readme}: "May import:" entry "${raw.trim()}" is not a folder name`);
      continue;
    }
    const folder = m[1].replace(/\/$/, '');
    const dir = join(srcDir, folder);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      problems.push(
        `${readme}: "May import:" names "${folder}", which is not a folder under ${posix(relative(root, srcDir))}/`,
      );
      continue;
    }
    entries.push({ folder, typesOnly: m[2] !== undefined });
  }
  return { rule: { readme, name, entries }, problems };
}

function describeRule(rule: Rule): string {
  if (rule.entries.length === 0) return `"${rule.name}" may import nothing (${rule.readme})`;
  const list = rule.entries
    .map((e) => (e.typesOnly ? `${e.folder} (types only)` : e.folder))
    .join(', ');
  return `"${rule.name}" may import only ${list} (${rule.readme})`;
}

function allows(rule: Rule, srcTarget: string | undefined, typeOnly: boolean): boolean {
  if (srcTarget === undefined) return false;
  return rule.entries.some(
    (e) =>
      (srcTarget === e.folder || srcTarget.startsWith(`${e.folder}/`)) &&
      (typeOnly || !e.typesOnly),
  );
}

/** Cycles among files: one message per strongly connected group, with one cycle through it. */
export function fileCycles(edges: ImportEdge[]): string[] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!e.resolved) continue;
    if (!next.has(e.from)) next.set(e.from, new Set());
    next.get(e.from)?.add(e.to);
  }
  // Tarjan's strongly connected components, iteratively.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const groups: string[][] = [];
  let counter = 0;
  const nodes = [...new Set(edges.filter((e) => e.resolved).flatMap((e) => [e.from, e.to]))].sort();
  for (const start of nodes) {
    if (index.has(start)) continue;
    const work: { node: string; it: Iterator<string> }[] = [];
    const open = (n: string) => {
      index.set(n, counter);
      low.set(n, counter);
      counter++;
      stack.push(n);
      onStack.add(n);
      work.push({ node: n, it: [...(next.get(n) ?? [])].sort()[Symbol.iterator]() });
    };
    open(start);
    while (work.length > 0) {
      const top = work[work.length - 1] as { node: string; it: Iterator<string> };
      const step = top.it.next();
      if (!step.done) {
        const w = step.value;
        if (!index.has(w)) open(w);
        else if (onStack.has(w)) {
          low.set(top.node, Math.min(low.get(top.node) ?? 0, index.get(w) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(top.node) ?? 0));
      if (low.get(top.node) === index.get(top.node)) {
        const group: string[] = [];
        let w: string | undefined;
        do {
          w = stack.pop() as string;
          onStack.delete(w);
          group.push(w);
        } while (w !== top.node);
        const selfLoop = next.get(top.node)?.has(top.node) ?? false;
        if (group.length > 1 || selfLoop) groups.push(group.sort());
      }
    }
  }
  return groups
    .sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''))
    .map((group) => {
      const cycle = shortestCycle(group[0] as string, new Set(group), next);
      const others = group.filter((f) => !cycle.includes(f));
      const more = others.length > 0 ? `; also in the tangle: ${others.join(', ')}` : '';
      return `import cycle: ${[...cycle, cycle[0]].join(' -> ')}${more}`;
    });
}

function shortestCycle(start: string, within: Set<string>, next: Map<string, Set<string>>) {
  const prev = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i] as string;
    for (const w of [...(next.get(n) ?? [])].sort()) {
      if (!within.has(w)) continue;
      if (w === start) {
        const path = [n];
        while (path[0] !== start) path.unshift(prev.get(path[0] as string) as string);
        return path;
      }
      if (!prev.has(w)) {
        prev.set(w, n);
        queue.push(w);
      }
    }
  }
  return [start];
}

export interface Findings {
  /** READMEs missing, without a rule, or naming folders that do not exist. */
  readmes: string[];
  /** Imports a rule forbids, and relative imports that resolve to no file. */
  imports: string[];
  cycles: string[];
}

/**
 * Checks src/ (each top-level folder's README, narrowed by subfolder READMEs) and, when `apps`
 * names them, other folders with one README rule for all their code (e.g. dashboard/ for
 * dashboard/src).
 */
export function checkImportRules(
  root: string,
  apps: { readme: string; name: string; code: string }[] = [],
): Findings {
  const srcDir = join(root, 'src');
  const readmes: string[] = [];
  const imports: string[] = [];
  const rules = new Map<string, Rule>(); // by src-relative folder
  const topFolders = readdirSync(srcDir)
    .filter((n) => statSync(join(srcDir, n)).isDirectory())
    .sort();
  for (const top of topFolders) {
    const { rule, problems } = readRule(root, `src/${top}/README.md`, top, srcDir);
    readmes.push(...problems);
    if (rule) rules.set(top, rule);
  }
  // Subfolder READMEs narrow the rule only when they have a `May import:` line of their own.
  const walkSub = (rel: string) => {
    for (const n of readdirSync(join(srcDir, rel)).sort()) {
      const sub = `${rel}/${n}`;
      if (!statSync(join(srcDir, sub)).isDirectory()) continue;
      const readme = join(srcDir, sub, 'README.md');
      if (existsSync(readme) && readFileSync(readme, 'utf8').match(MAY_IMPORT)) {
        const { rule, problems } = readRule(root, `src/${sub}/README.md`, sub, srcDir);
        readmes.push(...problems);
        if (rule) rules.set(sub, rule);
      }
      walkSub(sub);
    }
  };
  for (const top of topFolders) walkSub(top);

  for (const n of readdirSync(srcDir).sort()) {
    if (CODE_FILE.test(n) && !TEST_FILE.test(n) && statSync(join(srcDir, n)).isFile()) {
      readmes.push(`src/${n} is in no folder under src/, so no README rule applies to it`);
    }
  }

  const srcEdges = importGraph(root, ['src']);
  for (const e of srcEdges) {
    if (!e.resolved) {
      imports.push(`${e.from} imports "${e.specifier}", which is no file`);
      continue;
    }
    const fromParts = e.from.split('/').slice(1, -1); // folders under src/
    const target = e.to.startsWith('src/') ? e.to.slice('src/'.length) : undefined;
    if (target !== undefined && target.split('/')[0] === fromParts[0]) continue;
    for (let depth = 1; depth <= fromParts.length; depth++) {
      const rule = rules.get(fromParts.slice(0, depth).join('/'));
      if (rule && !allows(rule, target, e.typeOnly)) {
        imports.push(`${e.from} imports ${e.to}: ${describeRule(rule)}`);
        break;
      }
    }
  }

  for (const app of apps) {
    const { rule, problems } = readRule(root, app.readme, app.name, srcDir);
    readmes.push(...problems);
    for (const e of importGraph(root, [app.code])) {
      if (!e.resolved) {
        imports.push(`${e.from} imports "${e.specifier}", which is no file`);
        continue;
      }
      const home = app.readme.slice(0, app.readme.lastIndexOf('/') + 1);
      if (e.to.startsWith(home)) continue;
      const target = e.to.startsWith('src/') ? e.to.slice('src/'.length) : undefined;
      if (rule && !allows(rule, target, e.typeOnly)) {
        imports.push(`${e.from} imports ${e.to}: ${describeRule(rule)}`);
      }
    }
  }

  return { readmes, imports, cycles: fileCycles(srcEdges) };
}

/**
 * Where docs/architecture.md's folder table and the READMEs disagree: one message per folder whose
 * "may import" cell names other folders than its README (`everything` and `everything but x and
 * y` count the other top-level folders), or that one of them lacks.
 */
export function tableDisagreements(root: string, doc = 'docs/architecture.md'): string[] {
  const srcDir = join(root, 'src');
  const tops = readdirSync(srcDir)
    .filter((n) => statSync(join(srcDir, n)).isDirectory())
    .sort();
  const table = new Map<string, string[]>();
  for (const line of readFileSync(join(root, doc), 'utf8').split('\n')) {
    const m = /^\|\s*`([a-z/-]+)`\s*\|[^|]*\|\s*([^|]+?)\s*\|\s*$/.exec(line);
    if (!m?.[1] || !m[2]) continue;
    const [name, cell] = [m[1], m[2]];
    const but = /^everything(?: but (.+))?$/.exec(cell);
    const list = but
      ? tops.filter((t) => t !== name && !(but[1] ?? '').split(/,\s*|\s+and\s+/).includes(t))
      : cell === 'nothing'
        ? []
        : cell.split(',').map((e) => e.trim());
    table.set(name, list.map((e) => e.replace(/\s+/g, ' ')).sort());
  }
  const out: string[] = [];
  for (const top of tops) {
    const { rule } = readRule(root, `src/${top}/README.md`, top, srcDir);
    const readme = rule
      ? rule.entries.map((e) => (e.typesOnly ? `${e.folder} (types only)` : e.folder)).sort()
      : undefined;
    const cell = table.get(top);
    if (!cell) out.push(`${doc}: the folder table has no row for "${top}"`);
    else if (readme && cell.join(', ') !== readme.join(', ')) {
      out.push(
        `${doc} says "${top}" may import ${cell.join(', ') || 'nothing'}; src/${top}/README.md says ${readme.join(', ') || 'nothing'}`,
      );
    }
  }
  for (const name of table.keys()) {
    if (!tops.includes(name))
      out.push(`${doc}: the folder table names "${name}", no folder under src/`);
  }
  return out;
}
