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
import { join, relative } from 'node:path';
import { fileCycles } from './file-cycles.js';
import { CODE_FILE, importGraph, posix, TEST_FILE } from './import-graph.js';

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

const MAY_IMPORT = /^May import:(.*)$/gm;

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
