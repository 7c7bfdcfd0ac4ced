import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from './generate-demo.js';
import type { TruthPerson } from './truth-file.js';

/**
 * The truth file's timelines (when fading and emerging users change) and planted accounts were
 * added without touching the events: these hashes were computed from the generator at commit
 * a2ffd08, before the additions, and must not change.
 */
const CSV_SHA256_BEFORE_TIMELINES: ReadonlyArray<{
  seed: number;
  users: number;
  days: number;
  sha256: string;
}> = [
  {
    seed: 42,
    users: 2000,
    days: 90,
    sha256: '631303629f860fc675fcfd540f77422f0b94b765bb0134c3cb794f51c59888aa',
  },
  {
    seed: 7,
    users: 300,
    days: 45,
    sha256: 'e6cbcd4c17e80cc29ecf8bf70f51875538d7af1282a77f127ba3b96f1e624565',
  },
  {
    seed: 3,
    users: 200,
    days: 20,
    sha256: '2ff1aa5d5e2880dbcd6b96230b26bbda0dc4c2cd889c84f7d47827d23da227f7',
  },
];
/** sha256 of JSON [user_id, account_id, type, archetypes] per person, seed 7 × 300 × 45, at a2ffd08. */
const PEOPLE_SHA256_BEFORE_TIMELINES =
  'adf9b092d0eb9d9d297c8d702f0a8577ead9e7c4233bcc312659c30e9643d071';

const END = '2026-10-31';
const DAY_MS = 86_400_000;

interface Truth {
  days: number;
  accounts: number;
  account_scenarios: unknown[];
  people: TruthPerson[];
  planted_accounts: { account_id: string; plan: string; seats: number; power_heavy: boolean }[];
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

let dir: string;
const csvs = new Map<number, Buffer>();
const truths = new Map<number, Truth>();
/** Seed 42: each user's active days ('YYYY-MM-DD'). */
const activeDays = new Map<string, Set<string>>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'powerlens-truth-'));
  for (const { seed, users, days } of CSV_SHA256_BEFORE_TIMELINES) {
    const outPath = join(dir, `events-${seed}.csv`);
    const truthPath = join(dir, `truth-${seed}.json`);
    await generateDemo({ seed, users, days, end: END, outPath, truthPath });
    csvs.set(seed, await readFile(outPath));
    truths.set(seed, JSON.parse(await readFile(truthPath, 'utf8')) as Truth);
  }
  const lines = (csvs.get(42) as Buffer).toString('latin1').split('\n');
  for (const line of lines.slice(1)) {
    const [, ts = '', user = ''] = line.split(',', 3);
    if (!user) continue;
    const set = activeDays.get(user) ?? new Set<string>();
    set.add(ts.slice(0, 10));
    activeDays.set(user, set);
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Share of the days in [from, to] (inclusive) the user was active. */
function activeShare(user: string, from: string, to: string): number {
  const days = activeDays.get(user) ?? new Set<string>();
  let n = 0;
  let active = 0;
  for (let d = from; d <= to; d = addDays(d, 1)) {
    n++;
    if (days.has(d)) active++;
  }
  return n === 0 ? 0 : active / n;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

describe('truth timelines: additive only', () => {
  it('generates byte-identical events to the generator before the timelines', () => {
    for (const { seed, sha256: before } of CSV_SHA256_BEFORE_TIMELINES) {
      expect({ seed, sha256: sha256(csvs.get(seed) as Buffer) }).toEqual({ seed, sha256: before });
    }
  });

  it('keeps every existing field of every person as it was', () => {
    const people = (truths.get(7) as Truth).people;
    const core = people.map((p) => [p.user_id, p.account_id, p.type, p.archetypes]);
    expect(sha256(JSON.stringify(core))).toBe(PEOPLE_SHA256_BEFORE_TIMELINES);
  });

  it('gives timeline fields to fading and emerging users only', () => {
    for (const truth of truths.values()) {
      for (const p of truth.people) {
        const keys = Object.keys(p).slice(4);
        if (p.type === 'fading') expect(keys).toEqual(['power_until', 'fade_start', 'faded_from']);
        else if (p.type === 'emerging') expect(keys).toEqual(['climb_start', 'power_like_from']);
        else expect(keys).toEqual([]);
      }
    }
  });
});

describe('truth timelines: fading users', () => {
  const fading = () => (truths.get(42) as Truth).people.filter((p) => p.type === 'fading');

  it('dates the decline: power use until the day before, 7 days of decline, then rare visits', () => {
    for (const p of fading()) {
      const start = p.fade_start as string;
      expect(p.power_until).toBe(addDays(start, -1));
      expect(p.faded_from).toBe(addDays(start, 7));
    }
  });

  it('matches the events: power-like before the fade, rare after it', () => {
    const first = addDays(END, -89);
    const before = fading().map((p) => activeShare(p.user_id, first, p.power_until as string));
    const after = fading().map((p) => activeShare(p.user_id, p.faded_from as string, END));
    expect(Math.min(...before)).toBeGreaterThan(0.6);
    expect(mean(before)).toBeGreaterThan(0.8);
    expect(Math.max(...after)).toBeLessThan(0.3);
    expect(mean(after)).toBeLessThan(0.12);
  });

  it('says when a short window opens in the decline (no power use in it)', () => {
    for (const p of (truths.get(3) as Truth).people.filter((x) => x.type === 'fading')) {
      expect(p.power_until).toBeNull();
      expect(p.fade_start).toBe(addDays(END, -19));
    }
  });
});

describe('truth timelines: emerging users', () => {
  const emerging = () => (truths.get(42) as Truth).people.filter((p) => p.type === 'emerging');

  it('dates the climb inside the window and never claims power-like use', () => {
    for (const p of emerging()) {
      expect(p.power_like_from).toBeNull();
      expect((p.climb_start as string) >= addDays(END, -89)).toBe(true);
      expect((p.climb_start as string) <= addDays(END, -44)).toBe(true);
    }
  });

  it('matches the events: more active after the climb starts than before', () => {
    const first = addDays(END, -89);
    const early = emerging()
      .filter((p) => (p.climb_start as string) > addDays(first, 14))
      .map((p) => {
        const days = [...(activeDays.get(p.user_id) ?? [])].sort();
        const signUp = days[0] as string;
        return activeShare(p.user_id, signUp, addDays(p.climb_start as string, -1));
      });
    const lastWeeks = emerging().map((p) => activeShare(p.user_id, addDays(END, -13), END));
    expect(early.length).toBeGreaterThan(50);
    expect(mean(early)).toBeLessThan(0.15);
    expect(mean(lastWeeks)).toBeGreaterThan(0.35);
  });
});

describe('truth: planted accounts', () => {
  it('lists every account with its plan, seats and whether it is power-heavy', () => {
    for (const truth of truths.values()) {
      expect(truth.account_scenarios).toEqual([]);
      expect(truth.planted_accounts).toHaveLength(truth.accounts);
      const seated = new Map<string, number>();
      for (const p of truth.people) seated.set(p.account_id, (seated.get(p.account_id) ?? 0) + 1);
      for (const a of truth.planted_accounts) expect(a.seats).toBe(seated.get(a.account_id) ?? 0);
    }
  });

  it('seats most power and fading users in the power-heavy accounts', () => {
    const truth = truths.get(42) as Truth;
    const heavy = new Set(
      truth.planted_accounts.filter((a) => a.power_heavy).map((a) => a.account_id),
    );
    const powerLike = truth.people.filter((p) => p.type === 'power' || p.type === 'fading');
    const inHeavy = powerLike.filter((p) => heavy.has(p.account_id)).length;
    expect(inHeavy / powerLike.length).toBeGreaterThan(0.75);
  });
});
