/** One data set end to end through the public CLI: generate, ask, and measure. */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { accountVerdicts } from './account-measures.js';
import {
  archetypes,
  atRiskVerdict,
  dayNumber,
  emerging,
  fadingFates,
  lostVerdict,
  type Observed,
  powerUsers,
  type Verdict,
  weeklyAsOf,
} from './measures.js';
import {
  type AccountsJson,
  type BackfillJson,
  DAY_MS,
  type DataSet,
  LIFECYCLE_STATES,
  type LifecycleJson,
  type LifecyclePerson,
  type Truth,
  type UsersJson,
} from './shapes.js';

// ---------------------------------------------------------------------------------------------
// Running the CLI.

export interface Runner {
  root: string;
  loader: string;
  verbose: boolean;
  /** Every command run, as a shell line, in order. */
  log: string[];
}

export const shellQuote = (s: string) =>
  /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs `powerlens <args>` in `cwd` (its own folder: no stray powerlens.yaml), returns stdout. */
export function cli(r: Runner, cwd: string, args: string[]): Promise<string> {
  const argv = ['--import', r.loader, join(r.root, 'src/cli/main.ts'), ...args];
  const line = `(cd ${shellQuote(cwd)} && node ${argv.map(shellQuote).join(' ')})`;
  r.log.push(line);
  if (r.verbose) process.stderr.write(`$ ${line}\n`);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', fail);
    child.on('close', (code) => {
      if (code === 0) done(Buffer.concat(out).toString('utf8'));
      else {
        const tail = Buffer.concat(err).toString('utf8').trim().split('\n').slice(-15).join('\n');
        fail(new Error(`powerlens ${args.join(' ')} exited with ${code}:\n${tail}`));
      }
    });
  });
}

export async function cliJson<T>(r: Runner, cwd: string, args: string[]): Promise<T> {
  return JSON.parse(await cli(r, cwd, args)) as T;
}

// ---------------------------------------------------------------------------------------------
// One data set, end to end.

export interface SetResult {
  set: DataSet;
  seconds: number;
  steps: Record<string, number>;
  commands: string[];
  verdicts: Verdict[];
}

export async function runSet(
  r: Runner,
  workDir: string,
  set: DataSet,
  weeks: number,
): Promise<SetResult> {
  const started = performance.now();
  const steps: Record<string, number> = {};
  const dir = join(workDir, set.name);
  mkdirSync(dir, { recursive: true });
  const db = ['--db', join(dir, 'demo.duckdb')];
  r.log = [];
  const step = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const out = await f();
    steps[name] = (steps[name] ?? 0) + (performance.now() - t) / 1000;
    return out;
  };

  const dataDir = join(dir, 'data');
  await step('demo', () =>
    cli(r, dir, [
      'demo',
      ...['--seed', String(set.seed), '--users', String(set.users), '--days', String(set.days)],
      ...db,
      ...['--data-dir', dataDir, '--force', '--json'],
    ]),
  );
  const truthFile = readdirSync(dataDir).find((f) => /^truth-.*\.json$/.test(f));
  if (!truthFile) throw new Error(`no truth file in ${dataDir}`);
  const truth = JSON.parse(readFileSync(join(dataDir, truthFile), 'utf8')) as Truth;
  const firstDay = new Date(dayNumber(truth.end) * DAY_MS - (truth.days - 1) * DAY_MS)
    .toISOString()
    .slice(0, 10);

  const users = await step('users', () => cliJson<UsersJson>(r, dir, ['users', ...db, '--json']));

  // The account signals as a team running `accounts` every Sunday would have seen them: snapshots
  // start on the first day, and each run brings them up to its as-of day.
  await step('backfill', () =>
    cli(r, dir, ['backfill', ...db, '--from', firstDay, '--as-of', firstDay, '--json']),
  );
  const accountWeeks: AccountsJson[] = [];
  for (const asOf of weeklyAsOf(firstDay, truth.end)) {
    accountWeeks.push(
      await step('accounts', () =>
        cliJson<AccountsJson>(r, dir, ['accounts', ...db, '--as-of', asOf, '--json']),
      ),
    );
  }

  // The whole history again in one backfill (the same snapshots: docs/lifecycle.md), for the
  // period bounds, then the lifecycle states per week.
  const backfill = await step('backfill', () =>
    cliJson<BackfillJson>(r, dir, ['backfill', ...db, '--from', firstDay, '--json']),
  );
  const lifecycle = await step('lifecycle', () =>
    cliJson<LifecycleJson>(r, dir, ['lifecycle', ...db, '--json']),
  );
  const periods = lifecycle.periods.filter((p) => !p.baseline).map((p) => p.period_start);
  const emergingFrom = new Set(periods.slice(-weeks));
  const states = new Map<string, Map<string, string[]>>();
  for (const state of LIFECYCLE_STATES) states.set(state, new Map());
  for (const p of lifecycle.periods) {
    if (p.baseline) continue;
    for (const state of LIFECYCLE_STATES) {
      if ((p.states[state] ?? 0) === 0) continue;
      if (state === 'emerging' && !emergingFrom.has(p.period_start)) continue;
      const people = await step('lifecycle --state', () =>
        cliJson<LifecyclePerson[]>(r, dir, [
          'lifecycle',
          ...db,
          ...['--state', state, '--at', p.period_start, '--json'],
        ]),
      );
      const byUser = states.get(state) as Map<string, string[]>;
      for (const person of people) {
        const list = byUser.get(person.user_id) ?? [];
        list.push(person.period_start);
        byUser.set(person.user_id, list);
      }
    }
  }
  for (const byUser of states.values()) for (const list of byUser.values()) list.sort();

  const verdicts = measure({
    truth,
    users,
    periodEnd: new Map(backfill.periods.map((p) => [p.period_start, p.as_of])),
    periods,
    states,
    accountWeeks,
    emergingWeeks: weeks,
  });
  return {
    set,
    seconds: (performance.now() - started) / 1000,
    steps,
    commands: r.log,
    verdicts,
  };
}

/** Every verdict of one data set, measured against its truth. */
function measure(o: Observed): Verdict[] {
  const typeOf = new Map(o.truth.people.map((p) => [p.user_id, p.type]));
  const fates = fadingFates(o);
  return [
    powerUsers(o, typeOf),
    ...archetypes(o),
    emerging(o, typeOf),
    lostVerdict(o, fates, typeOf),
    atRiskVerdict(o, fates, typeOf),
    ...accountVerdicts(o),
  ];
}
