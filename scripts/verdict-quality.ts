import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Verdict } from './verdict-quality/measures.js';
import { type Runner, runSet, type SetResult } from './verdict-quality/run-set.js';
import { DEFAULT_SETS, parseSets } from './verdict-quality/shapes.js';

// ---------------------------------------------------------------------------------------------
// Output.

const fmt = (x: number | null) => (x === null ? '–' : x.toFixed(3));

function fmtExtra(v: Verdict): string {
  return Object.entries(v.extra)
    .filter(([, x]) => x !== null && !(typeof x === 'object' && Object.keys(x).length === 0))
    .map(([k, x]) => {
      if (typeof x === 'number') return `${k} ${Number.isInteger(x) ? x : x.toFixed(2)}`;
      if (typeof x === 'object' && x !== null) {
        const parts = Object.entries(x)
          .sort((a, b) => b[1] - a[1])
          .map(([t, n]) => `${t} ${n}`);
        return `${k}: ${parts.join(', ')}`;
      }
      return `${k} ${x}`;
    })
    .join('; ');
}

export function markdown(results: readonly SetResult[]): string {
  const lines = [
    '| data set | verdict | precision | recall | flagged | planted | extra |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of results) {
    for (const v of r.verdicts) {
      lines.push(
        `| ${r.set.name} | ${v.verdict} | ${fmt(v.precision)} | ${fmt(v.recall)} | ${v.flagged} | ${v.planted ?? '–'} | ${fmtExtra(v)} |`,
      );
    }
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

const HELP = `Usage: node --import tsx scripts/verdict-quality.ts [options]

Measures every verdict against the demo's planted truth on several generated data sets.

  --sets <list>      data sets SEEDxUSERSxDAYS, comma-separated (default ${DEFAULT_SETS})
  --weeks <n>        emerging: the last n periods (weeks) of snapshots (default 4)
  --json             print the numbers as JSON instead of a markdown table
  --verbose          print every command it runs (stderr)
  --root <dir>       the powerlens checkout whose CLI to run (default: this one)
  --work-dir <dir>   where data sets and databases go (default: a temporary folder)
  --keep             keep the work folder
  -h, --help         this help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sets: { type: 'string', default: DEFAULT_SETS },
      weeks: { type: 'string', default: '4' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      root: { type: 'string' },
      'work-dir': { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const weeks = Number.parseInt(values.weeks, 10);
  if (!Number.isInteger(weeks) || weeks < 1) throw new Error(`--weeks ${values.weeks}: use n ≥ 1.`);
  const sets = parseSets(values.sets);
  const root = resolve(values.root ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const loader = pathToFileURL(createRequire(join(root, 'package.json')).resolve('tsx')).href;
  const workDir = values['work-dir']
    ? resolve(values['work-dir'])
    : mkdtempSync(join(tmpdir(), 'powerlens-quality-'));
  const runner: Runner = { root, loader, verbose: values.verbose, log: [] };
  const started = performance.now();
  const results: SetResult[] = [];
  try {
    for (const set of sets) {
      if (values.verbose) process.stderr.write(`# data set ${set.name}\n`);
      const result = await runSet(runner, workDir, set, weeks);
      results.push(result);
      if (!values.json) {
        process.stderr.write(`${set.name}: ${result.seconds.toFixed(1)} s\n`);
      }
    }
  } finally {
    if (!values.keep && !values['work-dir']) rmSync(workDir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  if (values.json) {
    console.log(JSON.stringify({ root, weeks, seconds, sets: results }, null, 2));
    return;
  }
  console.log(markdown(results));
  console.log('');
  for (const r of results) {
    const steps = Object.entries(r.steps)
      .map(([k, s]) => `${k} ${s.toFixed(1)} s`)
      .join(', ');
    console.log(`${r.set.name}: ${r.seconds.toFixed(1)} s (${steps})`);
  }
  console.log(`total: ${seconds.toFixed(1)} s`);
  if (values.verbose) {
    console.log('');
    console.log('Commands:');
    for (const r of results) for (const c of r.commands) console.log(`  ${c}`);
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1]);
if (isMain) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
