import type { Engine } from '../engines/engine.js';
import { compileAccountTraits, compileUserTraits } from '../sql/compile-accounts.js';

/**
 * Who a user and their account are, from identify and group calls (docs/events.md, "Traits"):
 * a small lookup for the users and accounts on show, never part of scoring.
 */

/** Every trait a user or account has, each at its latest non-empty value, under its latest spelling. */
export type Traits = Record<string, unknown>;

export interface UserTraits {
  email?: string;
  name?: string;
  traits: Traits;
}

export interface AccountTraits {
  name?: string;
  plan?: string;
  seats?: number;
  mrr?: number;
  csm?: string;
  traits: Traits;
}

/** What the users list shows of them: each field only when known. */
export interface UserTraitFields {
  email?: string;
  name?: string;
  account_name?: string;
  plan?: string;
}

/**
 * The spellings each trait is read from, in order of preference, compared as normaliseKey does
 * (so firstName, first_name and "First Name" are one). Seats fall back to employees: a company's
 * head count is the seats it could fill when it bought none by name.
 */
export const TRAIT_SPELLINGS = {
  email: ['email', 'email_address'],
  name: ['name', 'full_name', 'display_name'],
  account_name: ['name', 'company_name', 'account_name', 'organization_name'],
  plan: ['plan', 'plan_name', 'pricing_plan', 'tier'],
  seats: ['seats', 'seat_count', 'licenses', 'employees', 'employee_count', 'number_of_employees'],
  mrr: ['mrr', 'monthly_revenue', 'monthly_recurring_revenue'],
  csm: ['csm', 'account_manager', 'customer_success_manager'],
} as const;

/** Lists of ids bound per query: a ClickHouse HTTP request carries its parameters in the URL. */
const IDS_PER_QUERY = 5000;

export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * Trait records, oldest first, merged: each key keeps its latest value that is not null or
 * blank, because an identify or group call often sends only what changed. Keys that differ only
 * in case or punctuation are one trait.
 */
export function mergeTraits(
  records: readonly string[],
): Map<string, { key: string; value: unknown }> {
  const merged = new Map<string, { key: string; value: unknown }>();
  for (const text of records) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      continue;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) continue;
    for (const [key, value] of Object.entries(parsed)) {
      if (value === null || value === undefined) continue;
      if (typeof value === 'string' && value.trim() === '') continue;
      merged.set(normaliseKey(key), { key, value });
    }
  }
  return merged;
}

type Merged = ReadonlyMap<string, { key: string; value: unknown }>;

function pick(merged: Merged, spellings: readonly string[]): unknown {
  for (const s of spellings) {
    const hit = merged.get(normaliseKey(s));
    if (hit) return hit.value;
  }
  return undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A number, or a string that is one ("25", "990.5"); anything else is not known. */
function amount(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

function plain(merged: Merged): Traits {
  return Object.fromEntries([...merged.values()].map((t) => [t.key, t.value]));
}

export function userTraitsOf(merged: Merged): UserTraits {
  const out: UserTraits = { traits: plain(merged) };
  const email = text(pick(merged, TRAIT_SPELLINGS.email));
  if (email) out.email = email;
  const first = text(pick(merged, ['first_name', 'given_name']));
  const last = text(pick(merged, ['last_name', 'family_name']));
  const name =
    text(pick(merged, TRAIT_SPELLINGS.name)) ||
    [first, last].filter((x) => x !== undefined && x !== '').join(' ');
  if (name) out.name = name;
  return out;
}

export function accountTraitsOf(merged: Merged): AccountTraits {
  const out: AccountTraits = { traits: plain(merged) };
  const name = text(pick(merged, TRAIT_SPELLINGS.account_name));
  if (name) out.name = name;
  const plan = text(pick(merged, TRAIT_SPELLINGS.plan));
  if (plan) out.plan = plan;
  const seats = amount(pick(merged, TRAIT_SPELLINGS.seats));
  if (seats !== undefined && seats >= 0) out.seats = seats;
  const mrr = amount(pick(merged, TRAIT_SPELLINGS.mrr));
  if (mrr !== undefined) out.mrr = mrr;
  const csm = text(pick(merged, TRAIT_SPELLINGS.csm));
  if (csm) out.csm = csm;
  return out;
}

async function readRecords(
  engine: Engine,
  sql: string,
  projectId: string,
  ids: readonly string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const unique = [...new Set(ids.filter((id) => id !== ''))];
  for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
    const rows = await engine.query<{ id: string; traits: string }>(sql, {
      p: projectId,
      ids: unique.slice(i, i + IDS_PER_QUERY),
    });
    for (const r of rows) {
      const list = out.get(r.id) ?? [];
      list.push(r.traits);
      out.set(r.id, list);
    }
  }
  return out;
}

/** The traits of these users (resolved ids, as scored); users without any are left out. */
export async function readUserTraits(
  engine: Engine,
  projectId: string,
  userIds: readonly string[],
): Promise<Map<string, UserTraits>> {
  const d = engine.dialect;
  const records = await readRecords(engine, compileUserTraits(d), projectId, userIds);
  return new Map([...records].map(([id, r]) => [id, userTraitsOf(mergeTraits(r))]));
}

/** The traits of these accounts from their group calls; accounts without any are left out. */
export async function readAccountTraits(
  engine: Engine,
  projectId: string,
  accountIds: readonly string[],
): Promise<Map<string, AccountTraits>> {
  const d = engine.dialect;
  const records = await readRecords(engine, compileAccountTraits(d), projectId, accountIds);
  return new Map([...records].map(([id, r]) => [id, accountTraitsOf(mergeTraits(r))]));
}

/** Users with their e-mail, name, account name and plan added where known. */
export async function withTraits<T extends { user_id: string; account_id: string }>(
  engine: Engine,
  projectId: string,
  users: readonly T[],
): Promise<(T & UserTraitFields)[]> {
  if (users.length === 0) return [];
  const people = await readUserTraits(
    engine,
    projectId,
    users.map((u) => u.user_id),
  );
  const accounts = await readAccountTraits(
    engine,
    projectId,
    users.map((u) => u.account_id),
  );
  return users.map((u) => {
    const person = people.get(u.user_id);
    const account = accounts.get(u.account_id);
    const fields: UserTraitFields = {};
    if (person?.email) fields.email = person.email;
    if (person?.name) fields.name = person.name;
    if (account?.name) fields.account_name = account.name;
    if (account?.plan) fields.plan = account.plan;
    return { ...u, ...fields };
  });
}
