import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cachedAnalysis } from '../src/analysis/report-cache.js';
import type { AnalyzeOptions } from '../src/analysis/run-analysis.js';
import { runImport } from '../src/ingest/import/run-import.js';
import { ConfigSchema } from '../src/model/config.js';
import { resolveDefinition } from '../src/model/resolve-definition.js';
import { runRollup } from '../src/rollup/run-rollup.js';
import { openTempDb, type TempDb } from './helpers/temp-db.js';

let db: TempDb;
beforeEach(async () => {
  db = await openTempDb();
});
afterEach(async () => {
  await db.cleanup();
});

const CORE = ['a_done', 'b_done', 'c_done', 'd_done', 'e_done'];

/** Imports `users` users active every day of March 1..30 with the five core features. */
async function load(name: string, users: string[]): Promise<void> {
  const lines = ['user_id,timestamp,event'];
  for (const u of users) {
    for (let d = 1; d <= 30; d++) {
      CORE.forEach((e, i) => {
        lines.push(`${u},2026-03-${String(d).padStart(2, '0')}T09:0${i}:00Z,${e}`);
      });
    }
  }
  await runImport(db.engine, {
    path: db.file(name, lines.join('\n')),
    projectId: 'default',
    timeZone: 'UTC',
    now: new Date('2026-04-01T00:00:00Z'),
  });
  await runRollup(db.engine, { projectId: 'default', timeZone: 'UTC', sessionGapMinutes: 30 });
}

const options = (set: string[] = []): AnalyzeOptions => ({
  projectId: 'default',
  asOf: '2026-03-30',
  definition: resolveDefinition(ConfigSchema.parse({}), { set }),
});

describe('the report cache', () => {
  it('answers the same question on the same data from the cache, with the same report', async () => {
    await load('a.csv', ['u1', 'u2']);
    const first = await cachedAnalysis(db.engine, options());
    const second = await cachedAnalysis(db.engine, options());
    expect(first.cache.hit).toBe(false);
    expect(second.cache.hit).toBe(true);
    expect(second.cache.computed_at).toBe(first.cache.computed_at);
    expect(second.report).toEqual(first.report);
    expect(second.report.totals.active_users).toBe(2);
  });

  it('misses for another question: a what-if, another as-of date, another top', async () => {
    await load('a.csv', ['u1', 'u2']);
    await cachedAnalysis(db.engine, options());
    expect((await cachedAnalysis(db.engine, options(['days_active.min=29']))).cache.hit).toBe(
      false,
    );
    const earlier = await cachedAnalysis(db.engine, { ...options(), asOf: '2026-03-20' });
    expect(earlier.cache.hit).toBe(false);
    expect(earlier.report.as_of).toBe('2026-03-20');
    expect((await cachedAnalysis(db.engine, { ...options(), top: 1 })).cache.hit).toBe(false);
  });

  it('is emptied when new data is rolled up, so the report never lags the data', async () => {
    await load('a.csv', ['u1', 'u2']);
    await cachedAnalysis(db.engine, options());
    await load('b.csv', ['u3']);
    const after = await cachedAnalysis(db.engine, options());
    expect(after.cache.hit).toBe(false);
    expect(after.report.totals.active_users).toBe(3);
    // A refresh with nothing new keeps the cache.
    await runRollup(db.engine, { projectId: 'default', timeZone: 'UTC', sessionGapMinutes: 30 });
    expect((await cachedAnalysis(db.engine, options())).cache.hit).toBe(true);
  });
});
