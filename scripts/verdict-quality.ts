/**
 * Verdict quality: how well each of powerlens's verdicts finds what the demo generator planted,
 * on several generated data sets (different seeds, sizes and lengths), so that work on the
 * verdicts is measured by precision and recall and never tuned to one seed. docs/verdict-quality.md
 * says what each measure means.
 *
 *   node --import tsx scripts/verdict-quality.ts [--sets 42x2000x90,7x5000x120,1234x800x60]
 *     [--weeks 4] [--json] [--verbose] [--root DIR] [--work-dir DIR] [--keep]
 *
 * It uses the product only through its public CLI and --json outputs (demo, users, backfill,
 * lifecycle, accounts), each run in a folder of its own per data set, and reads the demo's truth
 * file. Nothing from src/ is imported, so refactors inside the product do not break it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { TruthPerson } from '../src/demo/truth-file.js';

// ---------------------------------------------------------------------------------------------
// The truth file (src/demo/truth-file.ts) and the CLI's --json shapes, as far as they are read.

interface Truth {
  seed: number;
  users: number;
  days: number;
  end: string;
  account_scenarios?: unknown[];
  people: TruthPerson[];
  planted_accounts?: { account_id: string; plan: string; seats: number; power_heavy: boolean }[];
}

interface UsersJson {
  as_of: string;
  users: { user_id: string; is_power_user: boolean; segments?: { segment: string }[] }[];
}

interface BackfillJson {
  periods: { period_start: string; as_of: string }[];
}

interface LifecycleJson {
  periods: { period_start: string; baseline: boolean; states: Record<string, number> }[];
}

interface LifecyclePerson {
  user_id: string;
  period_start: string;
  state: string;
}

interface AccountsJson {
  as_of: string;
  accounts: {
    account_id: string;
    signals: { signal: string; kind: string; explanation: string }[];
  }[];
}

// ---------------------------------------------------------------------------------------------
// Options and data sets.

export interface DataSet {
  name: string;
  seed: number;
  users: number;
  days: number;
}

/** Different seeds, sizes and lengths; the first is `powerlens demo`'s default. */
export const DEFAULT_SETS = '42x2000x90,7x5000x120,1234x800x60';
const ARCHETYPES = ['innovator', 'advocate', 'optimizer'] as const;
const LIFECYCLE_STATES = ['lost', 'at_risk', 'emerging'] as const;
const DAY_MS = 86_400_000;

export function parseSets(spec: string): DataSet[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const m = /^(\d+)[x:](\d+)[x:](\d+)$/.exec(s);
      if (!m) throw new Error(`--sets ${s}: write each set as SEEDxUSERSxDAYS, e.g. 42x2000x90.`);
      const [seed, users, days] = [m[1], m[2], m[3]].map(Number) as [number, number, number];
      return { name: `${seed}x${users}x${days}`, seed, users, days };
    });
}

// ---------------------------------------------------------------------------------------------
// Running the CLI.

interface Runner {
  root: string;
  loader: string;
  verbose: boolean;
  /** Every command run, as a shell line, in order. */
  log: string[];
}

const shellQuote = (s: string) =>
  /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs `powerlens <args>` in `cwd` (its own folder: no stray powerlens.yaml), returns stdout. */
function cli(r: Runner, cwd: string, args: string[]): Promise<string> {
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

async function cliJson<T>(r: Runner, cwd: string, args: string[]): Promise<T> {
  return JSON.parse(await cli(r, cwd, args)) as T;
}

// ---------------------------------------------------------------------------------------------
// Measures.

export interface Verdict {
  verdict: string;
  /** null when nothing was flagged, or when the truth cannot say (see note). */
  precision: number | null;
  /** null when nothing was planted, or when the truth cannot say (see note). */
  recall: number | null;
  flagged: number;
  planted: number | null;
  true_positives: number | null;
  extra: Record<string, number | string | null | Record<string, number>>;
  note?: string;
}

const ratio = (n: number, d: number): number | null => (d > 0 ? n / d : null);

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1
    ? (s[mid] as number)
    : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;
const daysBetween = (from: string, to: string) => dayNumber(to) - dayNumber(from);
const isoDay = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);

/** Every Sunday after the first day, and the last day. */
export function weeklyAsOf(first: string, last: string): string[] {
  const out: string[] = [];
  for (let d = dayNumber(first) + 1; d < dayNumber(last); d++) {
    if (new Date(d * DAY_MS).getUTCDay() === 0) out.push(isoDay(d));
  }
  out.push(last);
  return out;
}

function countBy<T>(items: Iterable<T>, key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of items) out[key(t)] = (out[key(t)] ?? 0) + 1;
  return out;
}

/** Precision and recall of a flagged set against a planted set. */
function score(
  verdict: string,
  flagged: ReadonlySet<string>,
  planted: ReadonlySet<string>,
  extra: Verdict['extra'] = {},
  note?: string,
): Verdict {
  let tp = 0;
  for (const u of flagged) if (planted.has(u)) tp++;
  const v: Verdict = {
    verdict,
    precision: ratio(tp, flagged.size),
    recall: ratio(tp, planted.size),
    flagged: flagged.size,
    planted: planted.size,
    true_positives: tp,
    extra,
  };
  if (note) v.note = note;
  return v;
}

export interface Observed {
  truth: Truth;
  users: UsersJson;
  /** Period start → its last day (as of). */
  periodEnd: Map<string, string>;
  /** Non-baseline period starts, oldest first. */
  periods: string[];
  /** State → user → the period starts they were in that state, oldest first. */
  states: Map<string, Map<string, string[]>>;
  /** `accounts --as-of` each week (Sundays and the last day), oldest first. */
  accountWeeks: AccountsJson[];
  emergingWeeks: number;
}

function powerUsers(o: Observed, typeOf: Map<string, string>): Verdict {
  const found = new Set(o.users.users.filter((u) => u.is_power_user).map((u) => u.user_id));
  const planted = new Set(o.truth.people.filter((p) => p.type === 'power').map((p) => p.user_id));
  return score('power_user (last day)', found, planted, {
    as_of: o.users.as_of,
    flagged_by_type: countBy(found, (u) => typeOf.get(u) ?? 'unknown'),
  });
}

function archetypes(o: Observed): Verdict[] {
  const power = o.users.users.filter((u) => u.is_power_user);
  const plantedPower = o.truth.people.filter((p) => p.type === 'power');
  return ARCHETYPES.map((a) => {
    const flagged = new Set(
      power.filter((u) => (u.segments ?? []).some((s) => s.segment === a)).map((u) => u.user_id),
    );
    const planted = new Set(
      plantedPower.filter((p) => p.archetypes.includes(a)).map((p) => p.user_id),
    );
    return score(`segment ${a}`, flagged, planted, {
      power_users_without_segment: power.filter((u) => (u.segments ?? []).length === 0).length,
    });
  });
}

function emerging(o: Observed, typeOf: Map<string, string>): Verdict {
  const weeks = o.periods.slice(-o.emergingWeeks);
  const inWeeks = new Set(weeks);
  const flagged = new Set<string>();
  for (const [user, ps] of o.states.get('emerging') ?? []) {
    if (ps.some((p) => inWeeks.has(p))) flagged.add(user);
  }
  const planted = new Set(
    o.truth.people.filter((p) => p.type === 'emerging').map((p) => p.user_id),
  );
  return score(`emerging (last ${weeks.length} periods)`, flagged, planted, {
    from: weeks[0] ?? null,
    flagged_by_type: countBy(flagged, (u) => typeOf.get(u) ?? 'unknown'),
  });
}

interface FadingFate {
  person: TruthPerson;
  /** Days of planted power use inside the data (0 when the data open in their decline). */
  powerDays: number;
  firstLost: string | undefined;
  /** The first at-risk period ending on or after the fade start and before the first loss. */
  firstWarning: string | undefined;
}

function fadingFates(o: Observed): FadingFate[] {
  const first = new Date(dayNumber(o.truth.end) * DAY_MS - (o.truth.days - 1) * DAY_MS)
    .toISOString()
    .slice(0, 10);
  const lost = o.states.get('lost') ?? new Map<string, string[]>();
  const atRisk = o.states.get('at_risk') ?? new Map<string, string[]>();
  return o.truth.people
    .filter((p) => p.type === 'fading')
    .map((person) => {
      const powerDays = person.power_until ? daysBetween(first, person.power_until) + 1 : 0;
      const firstLost = lost.get(person.user_id)?.[0];
      const fadeStart = person.fade_start ?? first;
      const firstWarning = (atRisk.get(person.user_id) ?? []).find(
        (p) => (o.periodEnd.get(p) ?? p) >= fadeStart && (firstLost === undefined || p < firstLost),
      );
      return { person, powerDays, firstLost, firstWarning };
    });
}

function lostVerdict(o: Observed, fates: FadingFate[], typeOf: Map<string, string>): Verdict {
  const flagged = new Set((o.states.get('lost') ?? new Map()).keys());
  const withPowerUse = new Set(fates.filter((f) => f.powerDays > 0).map((f) => f.person.user_id));
  const latency = fates
    .filter((f) => f.firstLost !== undefined && f.person.fade_start)
    .map((f) =>
      daysBetween(
        f.person.fade_start as string,
        o.periodEnd.get(f.firstLost as string) ?? (f.firstLost as string),
      ),
    );
  const v = score('lost (fading power users)', flagged, withPowerUse, {
    fading_users: fates.length,
    median_power_days_in_data: median(fates.map((f) => f.powerDays)),
    median_days_fade_start_to_lost: median(latency),
    flagged_by_type: countBy(flagged, (u) => typeOf.get(u) ?? 'unknown'),
  });
  // Precision counts every lost fading user, with power use in the data or not.
  let tp = 0;
  for (const u of flagged) if (typeOf.get(u) === 'fading') tp++;
  v.precision = ratio(tp, flagged.size);
  v.note =
    'precision: lost users (any period) that are planted fading; recall: of the fading users with planted power use inside the data';
  return v;
}

function atRiskVerdict(o: Observed, fates: FadingFate[], typeOf: Map<string, string>): Verdict {
  const flagged = new Set((o.states.get('at_risk') ?? new Map()).keys());
  const withPowerUse = fates.filter((f) => f.powerDays > 0);
  const warned = withPowerUse.filter((f) => f.firstWarning !== undefined);
  const leads = warned
    .filter((f) => f.firstLost !== undefined)
    .map((f) => daysBetween(f.firstWarning as string, f.firstLost as string));
  let tp = 0;
  for (const u of flagged) if (typeOf.get(u) === 'fading') tp++;
  return {
    verdict: 'at_risk before lost',
    precision: ratio(tp, flagged.size),
    recall: ratio(warned.length, withPowerUse.length),
    flagged: flagged.size,
    planted: withPowerUse.length,
    true_positives: warned.length,
    extra: {
      warned_then_lost: leads.length,
      median_lead_days: median(leads),
      share_lead_7_days_or_more: ratio(leads.filter((d) => d >= 7).length, leads.length),
      flagged_by_type: countBy(flagged, (u) => typeOf.get(u) ?? 'unknown'),
    },
    note: 'precision: at-risk users (any period) that are planted fading; recall: fading users with planted power use inside the data, flagged at risk in a period ending on or after their fade start and before their first loss',
  };
}

const CHAMPION = /^(\S+) did \d+%/;

/** Every account signal of the weekly walk: signal → account → the as-of days it was raised. */
function signalsByWeek(o: Observed): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  for (const week of o.accountWeeks) {
    for (const a of week.accounts) {
      for (const s of a.signals) {
        // A silent champion is one finding per (account, champion), not per account.
        const who =
          s.signal === 'champion_silent' ? (CHAMPION.exec(s.explanation)?.[1] ?? '?') : '';
        const key = who ? `${a.account_id} ${who}` : a.account_id;
        const bySubject = out.get(s.signal) ?? new Map<string, string[]>();
        const days = bySubject.get(key) ?? [];
        if (!days.includes(week.as_of)) days.push(week.as_of);
        bySubject.set(key, days);
        out.set(s.signal, bySubject);
      }
    }
  }
  return out;
}

function accountVerdicts(o: Observed): Verdict[] {
  const bySignal = signalsByWeek(o);
  const flagged = (s: string) => bySignal.get(s) ?? new Map<string, string[]>();
  const lastDay = o.accountWeeks.at(-1);
  const atLastDay = (s: string) =>
    new Set(
      (lastDay?.accounts ?? [])
        .filter((a) => a.signals.some((x) => x.signal === s))
        .map((a) => a.account_id),
    ).size;
  const person = new Map(o.truth.people.map((p) => [p.user_id, p]));
  const scenarios = o.truth.account_scenarios ?? [];
  const plantedNote =
    scenarios.length === 0
      ? 'the generator plants no account-level scenario'
      : `${scenarios.length} account scenarios planted (not read yet)`;
  const powerHeavy = new Set(
    (o.truth.planted_accounts ?? []).filter((a) => a.power_heavy).map((a) => a.account_id),
  );

  // Derived from person-level truth: accounts whose planted power-like users (power and fading)
  // are all fading lost them; the loss can be seen when one of them was a power user in the data.
  const byAccount = new Map<string, { power: number; fading: TruthPerson[] }>();
  for (const p of o.truth.people) {
    const a = byAccount.get(p.account_id) ?? { power: 0, fading: [] };
    if (p.type === 'power') a.power++;
    if (p.type === 'fading') a.fading.push(p);
    byAccount.set(p.account_id, a);
  }
  const allFade = new Map([...byAccount].filter(([, a]) => a.power === 0 && a.fading.length > 0));
  const visibleLoss = new Set(
    [...allFade].filter(([, a]) => a.fading.some((p) => p.power_until)).map(([id]) => id),
  );
  const lost = flagged('lost_power_users');
  const lostTp = [...lost.keys()].filter((a) => allFade.has(a));
  // From the last planted fade start in the account to the first week it was flagged.
  const lostLag = lostTp.map((id) => {
    const lastFade = (allFade.get(id)?.fading ?? [])
      .map((p) => p.fade_start ?? '')
      .sort()
      .at(-1) as string;
    return daysBetween(lastFade, (lost.get(id) as string[])[0] as string);
  });
  const lostVerdict = score(
    'account lost_power_users (weekly)',
    new Set(lost.keys()),
    visibleLoss,
    {
      at_last_day: atLastDay('lost_power_users'),
      median_days_last_fade_start_to_flag: median(lostLag),
    },
    `${plantedNote}; derived from person-level truth: an account whose planted power-like users are all fading lost them (planted: those where one of them had power use in the data), one with a planted power user did not`,
  );
  lostVerdict.true_positives = lostTp.length;
  lostVerdict.precision = ratio(lostTp.length, lost.size);

  // A silent champion is a planted change when the champion is a fading user past their fade start.
  const silent = [...flagged('champion_silent')];
  const silentReal = silent.filter(([key, days]) => {
    const p = person.get(key.split(' ')[1] ?? '');
    return p?.type === 'fading' && days.some((d) => d >= (p.fade_start ?? d));
  });
  const champions = silent.map(([key]) => person.get(key.split(' ')[1] ?? '')?.type ?? 'unknown');

  const movers = new Set([
    ...flagged('maven_moved_out').keys(),
    ...flagged('maven_moved_in').keys(),
  ]);
  const expansion = [...flagged('expansion_candidate').keys()];
  return [
    lostVerdict,
    {
      verdict: 'account champion_silent (weekly)',
      precision: ratio(silentReal.length, silent.length),
      recall: null,
      flagged: silent.length,
      planted: null,
      true_positives: silentReal.length,
      extra: {
        at_last_day: atLastDay('champion_silent'),
        champions_by_type: countBy(champions, (t) => t),
      },
      note: `${plantedNote}; flagged: distinct (account, champion) pairs; derived precision: the champion is a planted fading user flagged on or after their fade start (a planted change), not a casual or regular user's usual gaps. No champion is planted, so no recall`,
    },
    {
      verdict: 'account maven_moved (weekly)',
      precision: movers.size > 0 ? 0 : null,
      recall: null,
      flagged: movers.size,
      planted: 0,
      true_positives: 0,
      extra: { at_last_day: atLastDay('maven_moved_out') + atLastDay('maven_moved_in') },
      note: 'nobody moves between accounts and the demo sends no identify calls: every flag is false',
    },
    {
      verdict: 'account expansion_candidate (weekly)',
      precision: null,
      recall: null,
      flagged: expansion.length,
      planted: null,
      true_positives: null,
      extra: {
        at_last_day: atLastDay('expansion_candidate'),
        power_heavy_among_flagged: expansion.filter((a) => powerHeavy.has(a)).length,
      },
      note: `${plantedNote}: counts only, precision cannot be computed`,
    },
  ];
}

export function measure(o: Observed): Verdict[] {
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

// ---------------------------------------------------------------------------------------------
// One data set, end to end.

export interface SetResult {
  set: DataSet;
  seconds: number;
  steps: Record<string, number>;
  commands: string[];
  verdicts: Verdict[];
}

async function runSet(r: Runner, workDir: string, set: DataSet, weeks: number): Promise<SetResult> {
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
