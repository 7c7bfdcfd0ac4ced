/**
 * Does the score rank people? On demo data sets it compares the `score` of `users --json` with
 * every single signal, as rank correlations (Spearman) with:
 *
 * - the planted types' order, power > heavy_shallow = regular > casual (the generator's truth;
 *   emerging and fading users are left out: they change over the window by design);
 * - the actions in the window (a contribution measure; the signal `actions` itself is left out
 *   of the comparison, and `key_actions` is the same number when no feature is a key action);
 *
 * and says whether the score agrees with the verdict: the share of (power user, other user) pairs
 * in which the power user scores higher, the top score's ties, and the order within power users.
 *
 *   node --import tsx scripts/score-ranking.ts [--sets 42x2000x90,1234x800x60] [--root DIR]
 *     [--work-dir DIR] [--json]
 *
 * Like scripts/verdict-quality.ts it runs the product only through its CLI (`demo`, `users`), so
 * `--root` can point at another checkout (the product before a change); with `--work-dir`, a data
 * set already generated there is reused.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { cli, type Runner } from './verdict-quality/run-set.js';
import { type DataSet, parseSets } from './verdict-quality/shapes.js';

interface UserRow {
  user_id: string;
  score: number;
  is_power_user: boolean;
  signals: Record<string, number | null>;
}

interface Truth {
  people: { user_id: string; type: string }[];
}

/** The planted types in the order of their contribution; the others are left out. */
const PLANTED_ORDER: Record<string, number> = {
  power: 3,
  heavy_shallow: 2,
  regular: 2,
  casual: 1,
};
/** Lower is better: ranked the other way. */
const LOWER_IS_BETTER = new Set(['days_since_last_seen']);

/** Ranks from 1, ties sharing their mean rank. */
function ranks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]?.[0] === order[i]?.[0]) j += 1;
    for (let k = i; k <= j; k++) out[order[k]?.[1] as number] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

/** Spearman's rank correlation: Pearson's on the ranks (ties at their mean rank). */
export function spearman(xs: readonly number[], ys: readonly number[]): number | null {
  const [a, b] = [ranks(xs), ranks(ys)];
  const n = a.length;
  if (n < 2) return null;
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / n;
  const [ma, mb] = [mean(a), mean(b)];
  let [sab, saa, sbb] = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const [da, db] = [(a[i] as number) - ma, (b[i] as number) - mb];
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa === 0 || sbb === 0 ? null : sab / Math.sqrt(saa * sbb);
}

/** A signal as a ranking key: lower-is-better ones negated, no value (a null trend) last. */
function key(u: UserRow, signal: string): number {
  const v = u.signals[signal];
  if (v === null || v === undefined) return Number.NEGATIVE_INFINITY;
  return LOWER_IS_BETTER.has(signal) ? -v : v;
}

interface Comparison {
  score: number | null;
  best: { signal: string; rho: number } | null;
  /** Every single signal's correlation, best first. */
  signals: { signal: string; rho: number }[];
}

function compare(users: UserRow[], truth: (u: UserRow) => number, leaveOut: string[]): Comparison {
  const y = users.map(truth);
  const signals = Object.keys(users[0]?.signals ?? {})
    .filter((s) => !leaveOut.includes(s))
    .map((signal) => ({
      signal,
      rho: spearman(
        users.map((u) => key(u, signal)),
        y,
      ),
    }))
    .filter((s): s is { signal: string; rho: number } => s.rho !== null)
    .sort((a, b) => b.rho - a.rho);
  return {
    score: spearman(
      users.map((u) => u.score),
      y,
    ),
    best: signals[0] ?? null,
    signals,
  };
}

export interface SetRanking {
  set: string;
  users: number;
  power_users: number;
  planted_order: Comparison;
  actions: Comparison;
  /** Share of (power user, other user) pairs where the power user scores higher (ties: half). */
  power_above_others: number;
  /** Power users with the top score, and the distinct scores among power users. */
  top_score: number;
  power_users_at_top_score: number;
  distinct_power_scores: number;
  /** Within power users: Spearman of the score with their actions. */
  power_users_score_vs_actions: number | null;
}

function measure(set: DataSet, users: UserRow[], truth: Truth): SetRanking {
  const typeOf = new Map(truth.people.map((p) => [p.user_id, p.type]));
  const planted = users.filter((u) => PLANTED_ORDER[typeOf.get(u.user_id) ?? ''] !== undefined);
  const power = users.filter((u) => u.is_power_user);
  const others = users.filter((u) => !u.is_power_user);
  let above = 0;
  for (const p of power) {
    for (const o of others) above += p.score > o.score ? 1 : p.score === o.score ? 0.5 : 0;
  }
  const top = Math.max(...users.map((u) => u.score));
  return {
    set: set.name,
    users: users.length,
    power_users: power.length,
    planted_order: compare(planted, (u) => PLANTED_ORDER[typeOf.get(u.user_id) ?? ''] ?? 0, []),
    actions: compare(users, (u) => u.signals.actions ?? 0, ['actions']),
    power_above_others: power.length && others.length ? above / (power.length * others.length) : 1,
    top_score: top,
    power_users_at_top_score: power.filter((u) => u.score === top).length,
    distinct_power_scores: new Set(power.map((u) => u.score)).size,
    power_users_score_vs_actions: spearman(
      power.map((u) => u.score),
      power.map((u) => u.signals.actions ?? 0),
    ),
  };
}

const f3 = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x.toFixed(3));

function markdown(results: readonly SetRanking[]): string {
  const lines = [
    '| data set | measure | score | best single signal | runner-up |',
    '| --- | --- | ---: | --- | --- |',
  ];
  for (const r of results) {
    for (const [label, c] of [
      ['Spearman with planted order', r.planted_order],
      ['Spearman with actions', r.actions],
    ] as const) {
      const [best, next] = c.signals;
      lines.push(
        `| ${r.set} | ${label} | ${f3(c.score)} | ${best ? `${best.signal} ${f3(best.rho)}` : '–'} | ${next ? `${next.signal} ${f3(next.rho)}` : '–'} |`,
      );
    }
    lines.push(
      `| ${r.set} | power users above everyone else (pairs) | ${f3(r.power_above_others)} | | |`,
      `| ${r.set} | top score; power users at it; distinct power-user scores | ${r.top_score}; ${r.power_users_at_top_score} of ${r.power_users}; ${r.distinct_power_scores} | | |`,
      `| ${r.set} | within power users: Spearman with actions | ${f3(r.power_users_score_vs_actions)} | | |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sets: { type: 'string', default: '42x2000x90,7x5000x120,1234x800x60' },
      root: { type: 'string' },
      'work-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const root = resolve(values.root ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const loader = pathToFileURL(createRequire(join(root, 'package.json')).resolve('tsx')).href;
  const runner: Runner = { root, loader, verbose: false, log: [] };
  const workDir = values['work-dir']
    ? resolve(values['work-dir'])
    : mkdtempSync(join(tmpdir(), 'powerlens-ranking-'));
  const results: SetRanking[] = [];
  try {
    for (const set of parseSets(values.sets)) {
      const dir = join(workDir, set.name);
      mkdirSync(dir, { recursive: true });
      const db = join(dir, 'demo.duckdb');
      const truthFile = join(dir, `truth-${set.seed}-${set.users}-${set.days}.json`);
      if (!existsSync(db) || !existsSync(truthFile)) {
        await cli(runner, dir, [
          ...['demo', '--seed', String(set.seed), '--users', String(set.users)],
          ...['--days', String(set.days), '--db', db, '--data-dir', dir, '--force', '--json'],
        ]);
      }
      const listing = JSON.parse(await cli(runner, dir, ['users', '--db', db, '--json'])) as {
        users: UserRow[];
      };
      const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as Truth;
      results.push(measure(set, listing.users, truth));
    }
  } finally {
    if (!values['work-dir']) rmSync(workDir, { recursive: true, force: true });
  }
  console.log(values.json ? JSON.stringify({ root, sets: results }, null, 2) : markdown(results));
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1]);
if (isMain) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
