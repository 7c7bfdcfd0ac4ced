import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importsOf } from './import-graph.js';
import { checkImportRules, tableDisagreements } from './import-rules.js';

/**
 * The layering of src/ (docs/architecture.md, "Folders and what they may import"): each folder's
 * README says what it may import, and this test holds the code to it. A failure lists every
 * offending import; fix the import (or move the code), or change the rule in the README and in
 * docs/architecture.md together if the layering itself should change.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const DASHBOARD = { readme: 'dashboard/README.md', name: 'dashboard', code: 'dashboard/src' };

describe('the import rules of src/ and dashboard/', () => {
  const findings = checkImportRules(ROOT, [DASHBOARD]);

  it('every folder under src/ has a README with a "May import:" line naming real folders', () => {
    expect(findings.readmes).toEqual([]);
  });

  it('every import is one its folder README allows', () => {
    expect(findings.imports).toEqual([]);
  });

  it('no file-level import cycle', () => {
    expect(findings.cycles).toEqual([]);
  });

  it("docs/architecture.md's folder table says what the READMEs say", () => {
    expect(tableDisagreements(ROOT)).toEqual([]);
  });
});

/** The checker itself, on a small tree with one of each mistake planted. */
describe('the import-rule checker', () => {
  const root = mkdtempSync(join(tmpdir(), 'powerlens-import-rules-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('src/time/README.md', '# time\n\nMay import: nothing\n');
  write('src/time/days.ts', 'export const d = 1;\n');
  write('src/model/README.md', '# model\n\nMay import: time.\n');
  write('src/model/m.ts', "import { d } from '../time/days.js';\nexport const m = d;\n");
  write('src/demo/README.md', '# demo\n\nMay import: model (types only), time\n');
  write(
    'src/demo/ok.ts',
    "import type { M } from '../model/types.js';\nimport { type N } from '../model/types.js';\nexport type { O } from '../model/types.js';\nexport type X = M | N | typeof import('../model/m.js');\n",
  );
  write('src/model/types.ts', 'export type M = 1;\nexport type N = 2;\nexport type O = 3;\n');
  write('src/demo/bad.ts', "import { type N, m } from '../model/m.js';\nexport const b = m;\n");
  write('src/demo/reexport.ts', "export * from '../model/m.js';\n");
  write('src/demo/dynamic.ts', "export const load = () => import('../model/m.js');\n");
  write('src/demo/bad.test.ts', "import '../cli/main.js';\n");
  // A cycle inside one folder: allowed by the rules, caught as a cycle.
  write('src/model/a.ts', "import { b } from './b.js';\nexport const a = b;\n");
  write('src/model/b.ts', "import { c } from './sub/c.js';\nexport const b = c;\n");
  write('src/model/sub/c.ts', "import { a } from '../a.js';\nexport const c = a;\n");
  // The rule of time forbids model; ingest's subfolder narrows ingest's rule.
  write('src/time/up.ts', "import { m } from '../model/m.js';\nexport const u = m;\n");
  write('src/ingest/README.md', '# ingest\n\nMay import: model, time\n');
  write('src/ingest/import/README.md', '# ingest/import\n\nMay import: time\n');
  write('src/ingest/import/f.ts', "import { m } from '../../model/m.js';\nexport const f = m;\n");
  write(
    'src/ingest/collector/g.ts',
    "import { m } from '../../model/m.js';\nexport const g = m;\n",
  );
  write('src/ingest/collector/h.ts', "import { f } from '../import/f.js';\nexport const h = f;\n");
  // README problems.
  write('src/cli/main.ts', 'export {};\n');
  write('src/loose.ts', 'export {};\n');
  write('src/server/README.md', '# server\n\nIt may import: everything.\n');
  write('src/sql/README.md', '# sql\n\nMay import: model, engines, time\n');
  write('src/sql/s.ts', "import { gone } from './gone.js';\nexport const s = gone;\n");
  // An app outside src/ with a rule of its own.
  write('dashboard/README.md', '# dashboard\n\nMay import: nothing\n');
  write('dashboard/src/app.ts', "import { d } from '../../src/time/days.js';\nimport './x.js';\n");
  write('dashboard/src/x.ts', 'export {};\n');
  write(
    'docs/architecture.md',
    [
      '| folder   | role | may import                  |',
      '| -------- | ---- | --------------------------- |',
      '| `time`   | days | nothing                     |',
      '| `model`  | data | time, sql                   |',
      '| `demo`   | demo | model (types only), time    |',
      '| `ingest` | in   | time, model                 |',
      '| `sql`    | sql  | model, time                 |',
      '| `cli`    | cli  | everything                  |',
      '| `gone`   | old  | nothing                     |',
      '',
    ].join('\n'),
  );

  const f = checkImportRules(root, [DASHBOARD]);

  it('reports missing READMEs, missing rules and unknown folders', () => {
    expect(f.readmes).toEqual([
      'src/cli/README.md is missing: "cli" has no rule',
      'src/server/README.md has no line starting "May import:"',
      'src/sql/README.md: "May import:" names "engines", which is not a folder under src/',
      'src/loose.ts is in no folder under src/, so no README rule applies to it',
    ]);
  });

  it('reports each forbidden import with the rule that forbids it', () => {
    expect([...f.imports].sort()).toEqual(
      [
        'src/demo/bad.ts imports src/model/m.ts: "demo" may import only model (types only), time (src/demo/README.md)',
        'src/demo/reexport.ts imports src/model/m.ts: "demo" may import only model (types only), time (src/demo/README.md)',
        'src/demo/dynamic.ts imports src/model/m.ts: "demo" may import only model (types only), time (src/demo/README.md)',
        'src/time/up.ts imports src/model/m.ts: "time" may import nothing (src/time/README.md)',
        'src/ingest/import/f.ts imports src/model/m.ts: "ingest/import" may import only time (src/ingest/import/README.md)',
        'src/sql/s.ts imports "./gone.js", which is no file',
        'dashboard/src/app.ts imports src/time/days.ts: "dashboard" may import nothing (dashboard/README.md)',
      ].sort(),
    );
  });

  it('reports a cycle with its files', () => {
    expect(f.cycles).toEqual([
      'import cycle: src/model/a.ts -> src/model/b.ts -> src/model/sub/c.ts -> src/model/a.ts',
    ]);
  });

  it("reports where docs/architecture.md's table and the READMEs disagree", () => {
    expect(tableDisagreements(root)).toEqual([
      'docs/architecture.md says "model" may import sql, time; src/model/README.md says time',
      'docs/architecture.md: the folder table has no row for "server"',
      'docs/architecture.md: the folder table names "gone", no folder under src/',
    ]);
  });

  it('tells type-only imports from value imports', () => {
    const text = [
      "import type { A } from './a.js';",
      "import { type B, type C } from './b.js';",
      "import { type D, e } from './d.js';",
      "import f from './f.js';",
      "import './g.js';",
      "export type { H } from './h.js';",
      "export { i } from './i.js';",
      "export * from './j.js';",
      "export * as k from './k.js';",
      "const l = await import('./l.js');",
      "type M = typeof import('./m.js');",
    ].join('\n');
    expect(importsOf('x.ts', text)).toEqual([
      { specifier: './a.js', typeOnly: true },
      { specifier: './b.js', typeOnly: true },
      { specifier: './d.js', typeOnly: false },
      { specifier: './f.js', typeOnly: false },
      { specifier: './g.js', typeOnly: false },
      { specifier: './h.js', typeOnly: true },
      { specifier: './i.js', typeOnly: false },
      { specifier: './j.js', typeOnly: false },
      { specifier: './k.js', typeOnly: false },
      { specifier: './l.js', typeOnly: false },
      { specifier: './m.js', typeOnly: true },
    ]);
  });
});
