import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADVANCED_EVENTS,
  AI_ASSISTANT_EVENT,
  ALL_EVENTS,
  COLLABORATION_EVENTS,
  CORE_EVENTS,
  OPTIMIZER_EVENTS,
} from './event-vocabulary.js';
import { type DemoOptions, type DemoResult, generateDemo } from './generate-demo.js';
import { USER_TYPES, type UserType } from './user-types.js';

const DAY_MS = 86_400_000;
const END = '2026-10-31';
const DAYS = 60;
const USERS = 1000;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface Truth {
  seed: number;
  users: number;
  days: number;
  end: string;
  events: number;
  users_by_type: Record<UserType, number>;
  people: { user_id: string; account_id: string; type: UserType; archetypes: string[] }[];
}

interface Row {
  id: string;
  ts: string;
  user: string;
  account: string;
  event: string;
  platform: string;
  plan: string;
  anon: string;
}

/** Per-user facts over the trailing 30 days and the whole window, computed from the CSV. */
interface UserStats {
  activeDays: Set<number>;
  activeLast30: Set<number>;
  eventsLast30: Set<string>;
  collaborationLast30: number;
  firstAiDay: number;
}

const dayIndex = (ts: string): number =>
  (Date.parse(`${ts.slice(0, 10)}T00:00:00Z`) - Date.parse(`${END}T00:00:00Z`)) / DAY_MS + DAYS - 1;

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

let dir: string;
let result: DemoResult;
let header: string;
/** Rows of signed-up users; `allRows` adds the anonymous pre-sign-up visits. */
let rows: Row[];
let allRows: Row[];
let truth: Truth;
let stats: Map<string, UserStats>;
let progressCalls: number[];

async function generate(seed: number, name: string, extra?: Partial<DemoOptions>) {
  return generateDemo({
    seed,
    users: USERS,
    days: DAYS,
    end: END,
    outPath: join(dir, name, 'events.csv'),
    truthPath: join(dir, name, 'truth.json'),
    ...extra,
  });
}

function computeStats(): Map<string, UserStats> {
  const out = new Map<string, UserStats>();
  const collaboration = new Set<string>(COLLABORATION_EVENTS);
  for (const r of rows) {
    let s = out.get(r.user);
    if (!s) {
      s = {
        activeDays: new Set(),
        activeLast30: new Set(),
        eventsLast30: new Set(),
        collaborationLast30: 0,
        firstAiDay: Number.POSITIVE_INFINITY,
      };
      out.set(r.user, s);
    }
    const day = dayIndex(r.ts);
    s.activeDays.add(day);
    if (r.event === AI_ASSISTANT_EVENT) s.firstAiDay = Math.min(s.firstAiDay, day);
    if (day >= DAYS - 30) {
      s.activeLast30.add(day);
      s.eventsLast30.add(r.event);
      if (collaboration.has(r.event)) s.collaborationLast30++;
    }
  }
  return out;
}

function peopleOf(type: UserType) {
  return truth.people.filter((p) => p.type === type);
}

function statsOf(userId: string): UserStats {
  const s = stats.get(userId);
  if (!s) throw new Error(`${userId} has no events`);
  return s;
}

const countIn = (events: Set<string>, list: readonly string[]) =>
  list.filter((e) => events.has(e)).length;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'powerlens-demo-'));
  progressCalls = [];
  result = await generate(7, 'a', { onProgress: (n) => progressCalls.push(n) });
  const lines = (await readFile(join(dir, 'a', 'events.csv'), 'utf8')).split('\n');
  header = lines[0] ?? '';
  expect(lines.at(-1)).toBe('');
  allRows = lines.slice(1, -1).map((line) => {
    const [
      id = '',
      ts = '',
      user = '',
      account = '',
      event = '',
      platform = '',
      plan = '',
      anon = '',
    ] = line.split(',');
    return { id, ts, user, account, event, platform, plan, anon };
  });
  rows = allRows.filter((r) => r.user !== '');
  truth = JSON.parse(await readFile(join(dir, 'a', 'truth.json'), 'utf8')) as Truth;
  stats = computeStats();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('generateDemo: files', () => {
  it('is deterministic for a seed and differs across seeds', async () => {
    await generate(7, 'a2');
    await generate(8, 'b');
    expect(await sha256(join(dir, 'a2', 'events.csv'))).toBe(
      await sha256(join(dir, 'a', 'events.csv')),
    );
    expect(await sha256(join(dir, 'a2', 'truth.json'))).toBe(
      await sha256(join(dir, 'a', 'truth.json')),
    );
    expect(await sha256(join(dir, 'b', 'events.csv'))).not.toBe(
      await sha256(join(dir, 'a', 'events.csv')),
    );
  });

  it('writes the documented header and well-formed rows', () => {
    expect(header).toBe('message_id,timestamp,user_id,account_id,event,platform,plan,anonymous_id');
    const events = new Set<string>(ALL_EVENTS);
    const platforms = new Set(['web', 'ios', 'android']);
    const plans = new Set(['free', 'team', 'business', 'enterprise']);
    const bad = rows.filter(
      (r) =>
        !/^u\d{5}$/.test(r.user) ||
        !/^acct_\d{4}$/.test(r.account) ||
        !events.has(r.event) ||
        !platforms.has(r.platform) ||
        !plans.has(r.plan) ||
        r.anon !== '',
    );
    // Collected rather than asserted row by row: expect() per row would dominate the runtime.
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('keeps every timestamp parseable and inside the window', () => {
    const first = Date.parse(`${END}T00:00:00Z`) - (DAYS - 1) * DAY_MS;
    const last = Date.parse(`${END}T00:00:00Z`) + DAY_MS;
    const bad = allRows.filter((r) => {
      const ms = Date.parse(r.ts);
      return !ISO_MS.test(r.ts) || new Date(ms).toISOString() !== r.ts || ms < first || ms >= last;
    });
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('records pre-sign-up visits under an anonymous id only, before the first session', () => {
    const anonymous = allRows.filter((r) => r.user === '');
    const bad = anonymous.filter(
      (r) =>
        r.account !== '' ||
        r.plan !== '' ||
        r.event !== 'page_viewed' ||
        !/^anon-7-\d+$/.test(r.anon),
    );
    expect(bad.slice(0, 5)).toEqual([]);
    const visitors = new Set(anonymous.map((r) => r.anon));
    expect(visitors.size).toBeGreaterThan(USERS / 2);
    expect(visitors.size).toBeLessThan(USERS);
    // Each visit comes before its person's first signed-in event.
    const firstSeen = new Map<string, string>();
    for (const r of rows) {
      const index = r.id.split('-')[1] ?? '';
      const seen = firstSeen.get(index);
      if (seen === undefined || r.ts < seen) firstSeen.set(index, r.ts);
    }
    const late = anonymous.filter((r) => r.ts >= (firstSeen.get(r.id.split('-')[1] ?? '') ?? ''));
    expect(late.slice(0, 5)).toEqual([]);
  });

  it('gives every row a unique message id', () => {
    expect(new Set(allRows.map((r) => r.id)).size).toBe(allRows.length);
  });

  it('matches the truth file and the result', () => {
    expect(result.events).toBe(allRows.length);
    expect(result.users).toBe(USERS);
    expect(truth).toMatchObject({ seed: 7, users: USERS, days: DAYS, end: END });
    expect(truth.events).toBe(allRows.length);
    expect(truth.people).toHaveLength(USERS);
    expect(Object.keys(truth.users_by_type).sort()).toEqual([...USER_TYPES].sort());
    for (const type of USER_TYPES) {
      expect(truth.users_by_type[type]).toBe(peopleOf(type).length);
    }
    expect(truth.users_by_type.power).toBe(100);
    const accountOf = new Map(truth.people.map((p) => [p.user_id, p.account_id]));
    expect(rows.filter((r) => r.account !== accountOf.get(r.user)).slice(0, 5)).toEqual([]);
    // Everyone is active at least once, so every planted user can be found in the data.
    expect(stats.size).toBe(USERS);
    expect(result.accounts).toBe(new Set(truth.people.map((p) => p.account_id)).size);
  });

  it('reports progress up to the final count', () => {
    expect(progressCalls.at(-1)).toBe(result.events);
    expect(progressCalls).toEqual([...progressCalls].sort((a, b) => a - b));
  });

  it('gives each account one plan and most users one platform', () => {
    const planOf = new Map<string, string>();
    const platforms = new Map<string, Map<string, number>>();
    let planChanges = 0;
    for (const r of rows) {
      if ((planOf.get(r.account) ?? r.plan) !== r.plan) planChanges++;
      planOf.set(r.account, r.plan);
      const counts = platforms.get(r.user) ?? new Map<string, number>();
      counts.set(r.platform, (counts.get(r.platform) ?? 0) + 1);
      platforms.set(r.user, counts);
    }
    expect(planChanges).toBe(0);
    let mostlyOne = 0;
    for (const counts of platforms.values()) {
      const all = [...counts.values()];
      if (Math.max(...all) / all.reduce((a, b) => a + b, 0) >= 0.8) mostlyOne++;
    }
    expect(mostlyOne / platforms.size).toBeGreaterThan(0.9);
  });
});

describe('generateDemo: planted users (trailing 30 days)', () => {
  it('makes power users frequent, broad and deep', () => {
    const power = peopleOf('power');
    const qualifying = power.filter((p) => {
      const s = statsOf(p.user_id);
      return (
        s.activeLast30.size >= 20 &&
        countIn(s.eventsLast30, ADVANCED_EVENTS) >= 2 &&
        countIn(s.eventsLast30, CORE_EVENTS) >= 6
      );
    });
    expect(qualifying.length / power.length).toBeGreaterThanOrEqual(0.95);
    for (const p of power) expect(p.archetypes.length).toBeGreaterThanOrEqual(1);
  });

  it('makes heavy-but-shallow users daily but trivial', () => {
    for (const p of peopleOf('heavy_shallow')) {
      const s = statsOf(p.user_id);
      expect(s.activeLast30.size).toBeGreaterThanOrEqual(27);
      expect([...s.eventsLast30].every((e) => e === 'login' || e === 'dashboard_viewed')).toBe(
        true,
      );
    }
    const shallow = new Set(peopleOf('heavy_shallow').map((p) => p.user_id));
    const other = rows.filter(
      (r) => shallow.has(r.user) && r.event !== 'login' && r.event !== 'dashboard_viewed',
    );
    expect(other).toEqual([]);
  });

  it('keeps emerging users rising but short of 20 active days', () => {
    let before = 0;
    let last = 0;
    for (const p of peopleOf('emerging')) {
      const s = statsOf(p.user_id);
      expect(s.activeLast30.size).toBeLessThan(20);
      last += s.activeLast30.size;
      before += [...s.activeDays].filter((d) => d < DAYS - 30).length;
    }
    expect(last).toBeGreaterThan(2 * before);
  });

  it('makes fading users former power users with little recent activity', () => {
    let early = 0;
    const fading = peopleOf('fading');
    for (const p of fading) {
      const s = statsOf(p.user_id);
      expect(s.activeLast30.size).toBeLessThanOrEqual(8);
      early += [...s.activeDays].filter((d) => d < 14).length;
    }
    expect(early / fading.length).toBeGreaterThan(10);
  });

  it('keeps regular and casual users below the power bar', () => {
    for (const p of [...peopleOf('regular'), ...peopleOf('casual')]) {
      expect(statsOf(p.user_id).activeLast30.size).toBeLessThan(20);
    }
  });

  it('releases the AI assistant 21 days before the end, adopted first by innovators', () => {
    const releaseDay = DAYS - 1 - 21;
    const early = rows.filter((r) => r.event === AI_ASSISTANT_EVENT && dayIndex(r.ts) < releaseDay);
    expect(early).toEqual([]);
    expect(rows.some((r) => r.event === AI_ASSISTANT_EVENT && dayIndex(r.ts) === releaseDay)).toBe(
      true,
    );
    const innovators = peopleOf('power').filter((p) => p.archetypes.includes('innovator'));
    expect(innovators.length).toBeGreaterThan(0);
    for (const p of innovators) {
      expect(statsOf(p.user_id).firstAiDay - releaseDay).toBeLessThanOrEqual(7);
    }
    for (const p of peopleOf('power').filter((x) => !x.archetypes.includes('innovator'))) {
      expect(statsOf(p.user_id).firstAiDay - releaseDay).toBeGreaterThan(14);
    }
  });

  it('plants advocates and optimizers among power users', () => {
    const power = peopleOf('power');
    for (const p of power) {
      const s = statsOf(p.user_id);
      if (p.archetypes.includes('advocate')) {
        expect(s.collaborationLast30).toBeGreaterThanOrEqual(3);
      }
      if (p.archetypes.includes('optimizer')) {
        expect(countIn(s.eventsLast30, OPTIMIZER_EVENTS)).toBe(OPTIMIZER_EVENTS.length);
      }
    }
    const advocates = power.filter((p) => p.archetypes.includes('advocate'));
    const others = power.filter((p) => !p.archetypes.includes('advocate'));
    const meanCollab = (ps: typeof power) =>
      ps.reduce((a, p) => a + statsOf(p.user_id).collaborationLast30, 0) / ps.length;
    expect(meanCollab(advocates)).toBeGreaterThan(5 * meanCollab(others));
  });

  it('concentrates power users in about 30% of accounts', () => {
    const perAccount = new Map<string, number>();
    for (const p of peopleOf('power')) {
      perAccount.set(p.account_id, (perAccount.get(p.account_id) ?? 0) + 1);
    }
    const top = [...perAccount.values()]
      .sort((a, b) => b - a)
      .slice(0, Math.ceil(result.accounts * 0.3));
    expect(top.reduce((a, b) => a + b, 0) / peopleOf('power').length).toBeGreaterThan(0.7);
  });
});
