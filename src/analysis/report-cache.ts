import { createHash } from 'node:crypto';
import type { Engine } from '../engines/engine.js';
import {
  compileCachedReport,
  compileForgetReport,
  compileRollupStamp,
  compileTrimReports,
} from '../sql/compile-report-cache.js';
import type { Report } from './report-types.js';
import { type AnalyzeOptions, runAnalysis } from './run-analysis.js';

/** Bumped whenever the report's shape or computation changes, so no older entry is ever used. */
const REPORT_VERSION = 3;
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
  const { sql, params } = compileRollupStamp(engine.dialect, options.projectId);
  const [state] = await engine.query<Record<string, unknown>>(sql, params);
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
  const key = await cacheKey(engine, options);
  const lookup = compileCachedReport(d, options.projectId, key);
  const [hit] = await engine.query<{ report: string; created_at: string }>(
    lookup.sql,
    lookup.params,
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
  const forget = compileForgetReport(d, options.projectId, key);
  await engine.run(forget.sql, forget.params);
  await engine.insert('report_cache', [
    {
      project_id: options.projectId,
      cache_key: key,
      created_at: computedAt.replace('T', ' ').replace('Z', ''),
      report: JSON.stringify(report),
    },
  ]);
  // The newest reports are kept: a what-if session would otherwise grow the table without end.
  const trim = compileTrimReports(d, options.projectId, KEEP);
  await engine.run(trim.sql, trim.params);
  return { report, cache: { hit: false, computed_at: computedAt } };
}
