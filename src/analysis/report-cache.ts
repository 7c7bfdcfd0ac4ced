import { createHash } from 'node:crypto';
import type { Engine } from '../engines/engine.js';
import { type AnalyzeOptions, type Report, runAnalysis } from './run-analysis.js';

/** Bumped whenever the report's shape or computation changes, so no older entry is ever used. */
const REPORT_VERSION = 2;
/** Reports kept per project. */
const KEEP = 50;

export interface CachedReport {
  report: Report;
  /** Whether the report came from the cache, and when it was computed. */
  cache: { hit: boolean; computed_at: string };
}

/**
 * The key of a report: everything it is computed from (as-of date, window and definition, the
 * what-if baseline, the catalogue, how many top users) plus the rollups' state, so a report is
 * reused only while neither the question nor the data has changed.
 */
async function cacheKey(engine: Engine, options: AnalyzeOptions): Promise<string> {
  const d = engine.dialect;
  const [state] = await engine.query<Record<string, unknown>>(
    `SELECT time_zone, session_gap_seconds, rollup_version, features_hash, refreshed_at
     FROM rollup_state WHERE project_id = ${d.param('p', 'String')}
     ORDER BY refreshed_at DESC LIMIT 1`,
    { p: options.projectId },
  );
  const inputs = {
    v: REPORT_VERSION,
    asOf: options.asOf,
    definition: options.definition,
    baseline: options.baseline ?? null,
    catalogue: options.catalogue ?? null,
    segments: options.segments ?? null,
    top: options.top ?? 10,
    state: state ?? null,
  };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
}

/**
 * The report, from the cache when the same question was answered on the same data, else computed
 * and stored. Every rollup refresh that changes data empties the project's cache (runRollup).
 */
export async function cachedAnalysis(
  engine: Engine,
  options: AnalyzeOptions,
): Promise<CachedReport> {
  const d = engine.dialect;
  const p = d.param('p', 'String');
  const key = await cacheKey(engine, options);
  const [hit] = await engine.query<{ report: string; created_at: string }>(
    `SELECT report, created_at FROM report_cache
     WHERE project_id = ${p} AND cache_key = ${d.param('k', 'String')}
     ORDER BY created_at DESC LIMIT 1`,
    { p: options.projectId, k: key },
  );
  if (hit) {
    return {
      report: JSON.parse(hit.report) as Report,
      cache: { hit: true, computed_at: hit.created_at.replace(/\.\d+Z$/, 'Z') },
    };
  }
  const report = await runAnalysis(engine, options);
  const computedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  // Inserted as a row, not bound into a statement: a report can be larger than a server takes
  // in a request's URL, where ClickHouse's HTTP interface carries query parameters.
  await engine.run(
    `DELETE FROM report_cache WHERE project_id = ${p} AND cache_key = ${d.param('k', 'String')}`,
    { p: options.projectId, k: key },
  );
  await engine.insert('report_cache', [
    {
      project_id: options.projectId,
      cache_key: key,
      created_at: computedAt.replace('T', ' ').replace('Z', ''),
      report: JSON.stringify(report),
    },
  ]);
  // The newest reports are kept: a what-if session would otherwise grow the table without end.
  await engine.run(
    `DELETE FROM report_cache WHERE project_id = ${p} AND cache_key NOT IN (
       SELECT cache_key FROM report_cache WHERE project_id = ${p}
       ORDER BY created_at DESC, cache_key LIMIT ${d.param('keep', 'Int64')})`,
    { p: options.projectId, keep: KEEP },
  );
  return { report, cache: { hit: false, computed_at: computedAt } };
}
