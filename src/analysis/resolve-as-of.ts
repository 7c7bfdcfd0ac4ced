import type { Engine } from '../engines/engine.js';
import { compileDataRange } from '../sql/compile-data-range.js';
import { DAY_HINT, isIsoDay } from '../time/days.js';
import { AnalysisError } from './analysis-error.js';

/** The project has no events yet: a state (an empty project), not a mistake of the request. */
export class NoDataError extends AnalysisError {
  constructor(readonly projectId: string) {
    super(
      `no data in project ${projectId} yet: send events to it, or import a file (powerlens import FILE), or try powerlens demo.`,
    );
  }
}

/** The last local day with data: the default as-of date. */
export async function lastDataDay(engine: Engine, projectId: string): Promise<string | null> {
  return (await dataRange(engine, projectId))?.last ?? null;
}

/** The first and last local day with activity in the rollup, or null before any data. */
export async function dataRange(
  engine: Engine,
  projectId: string,
): Promise<{ first: string; last: string } | null> {
  const { sql, params } = compileDataRange(engine.dialect, projectId);
  const [row] = await engine.query<{ first: string | null; last: string | null }>(sql, params);
  return row?.first && row.last ? { first: row.first, last: row.last } : null;
}

/**
 * The as-of date to use: the one given (a real date of the calendar), else the last day with
 * data. A report may look at a window after the data (it then says where the data is), but
 * whatever stores periods (snapshots, which the lifecycle and accounts read) needs `withinData`:
 * a period past the data would be one nobody lived, with every power user "lost".
 */
export async function resolveAsOf(
  engine: Engine,
  projectId: string,
  asOf: string | undefined,
  withinData = false,
): Promise<string> {
  if (asOf !== undefined && !isIsoDay(asOf)) {
    throw new AnalysisError(`as-of date ${asOf}: ${DAY_HINT}.`);
  }
  const range = await dataRange(engine, projectId);
  if (!range) {
    // A date given explicitly can be looked at (an empty window); only a default needs data.
    if (asOf !== undefined && !withinData) return asOf;
    throw new NoDataError(projectId);
  }
  if (asOf === undefined) return range.last;
  if (withinData && (asOf > range.last || asOf < range.first)) {
    throw new AnalysisError(
      `as-of date ${asOf} is ${asOf > range.last ? 'after the last' : 'before the first'} day with data: pick a day from ${range.first} to ${range.last}.`,
    );
  }
  return asOf;
}
