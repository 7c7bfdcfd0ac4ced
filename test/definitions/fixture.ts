import { readScoredUsers, scoreInto, type UserResult } from '../../src/analysis/score-users.js';
import { runImport } from '../../src/ingest/import/run-import.js';
import { type Catalogue, CatalogueSchema } from '../../src/model/catalogue.js';
import { ConfigSchema } from '../../src/model/config.js';
import type { Definition, DefinitionInput } from '../../src/model/definition.js';
import { resolveDefinition } from '../../src/model/resolve-definition.js';
import { runRollup } from '../../src/rollup/run-rollup.js';
import type { TempDb } from '../helpers/temp-db.js';

/**
 * Small hand-built event sets for the definition tests: every event is a CSV row in UTC, so a
 * day is a calendar day and each expected number can be worked out from the rows by hand.
 */

export const PROJECT = 'default';

/** Day n counted from March 2026: `day(5)` is 2026-03-05, `day(0)` 2026-02-28, `day(32)` 2026-04-01. */
export const day = (n: number): string => new Date(Date.UTC(2026, 2, n)).toISOString().slice(0, 10);

export const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** CSV rows: on each day, the events one minute apart from 09:00 (at most 60 a day). */
export function rows(user: string, days: number[], events: string[], account = 'acct'): string[] {
  return days.flatMap((d) =>
    events.map((e, i) => `${user},${day(d)}T09:${String(i).padStart(2, '0')}:00Z,${e},${account}`),
  );
}

/** One event at an exact UTC time on a day, e.g. `at('u', 5, '10:30:15', 'x')`. */
export const at = (user: string, d: number, time: string, event: string, account = 'acct') =>
  `${user},${day(d)}T${time}Z,${event},${account}`;

/** Imports the rows (user_id,timestamp,event,account_id) and builds the rollups. */
export async function load(db: TempDb, lines: string[]): Promise<void> {
  const path = db.file('events.csv', ['user_id,timestamp,event,account_id', ...lines].join('\n'));
  const summary = await runImport(db.engine, {
    path,
    projectId: PROJECT,
    timeZone: 'UTC',
    now: new Date('2026-12-31T00:00:00Z'),
  });
  if (summary.rejected > 0) throw new Error(`fixture rows rejected: ${JSON.stringify(summary)}`);
  await runRollup(db.engine, { projectId: PROJECT, timeZone: 'UTC', sessionGapMinutes: 30 });
}

/** A definition as a config file would give it, validated and normalised. */
export function define(input: DefinitionInput, windowDays?: number): Definition {
  return resolveDefinition(ConfigSchema.parse({ definitions: { t: input } }), {
    name: 't',
    windowDays,
  });
}

export const defaultDefinition = (windowDays?: number): Definition =>
  resolveDefinition(ConfigSchema.parse({}), { windowDays });

export const catalogue = (input: unknown = {}): Catalogue => CatalogueSchema.parse(input);

/** Scores the window ending at `asOf` and returns every scored user by id. */
export async function score(
  db: TempDb,
  definition: Definition,
  asOf: string,
  cat?: Catalogue,
): Promise<Map<string, UserResult>> {
  await scoreInto(db.engine, definition, { projectId: PROJECT, asOf, catalogue: cat });
  const users = await readScoredUsers(db.engine, definition);
  return new Map(users.map((u) => [u.user_id, u]));
}

/** The scored user, or a failed test naming who is missing. */
export function user(users: ReadonlyMap<string, UserResult>, id: string): UserResult {
  const u = users.get(id);
  if (!u) throw new Error(`${id} was not scored (scored: ${[...users.keys()].join(', ')})`);
  return u;
}

/** Ids of the power users, sorted. */
export const powerIds = (users: ReadonlyMap<string, UserResult>): string[] =>
  [...users.values()]
    .filter((u) => u.is_power_user)
    .map((u) => u.user_id)
    .sort();
