/** What verdict-quality reads: the demo's truth file, the CLI's --json answers, the data sets. */
import type { TruthPerson } from '../../src/demo/truth-file.js';

// ---------------------------------------------------------------------------------------------
// The truth file (src/demo/truth-file.ts) and the CLI's --json shapes, as far as they are read.

export interface Truth {
  seed: number;
  users: number;
  days: number;
  end: string;
  account_scenarios?: unknown[];
  people: TruthPerson[];
  planted_accounts?: { account_id: string; plan: string; seats: number; power_heavy: boolean }[];
}

export interface UsersJson {
  as_of: string;
  users: { user_id: string; is_power_user: boolean; segments?: { segment: string }[] }[];
}

export interface BackfillJson {
  periods: { period_start: string; as_of: string }[];
}

export interface LifecycleJson {
  periods: { period_start: string; baseline: boolean; states: Record<string, number> }[];
}

export interface LifecyclePerson {
  user_id: string;
  period_start: string;
  state: string;
}

export interface AccountsJson {
  as_of: string;
  accounts: {
    account_id: string;
    signals: { signal: string; kind: string; explanation: string; user_id?: string }[];
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
export const ARCHETYPES = ['innovator', 'advocate', 'optimizer'] as const;
export const LIFECYCLE_STATES = ['lost', 'at_risk', 'emerging'] as const;
export const DAY_MS = 86_400_000;

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
