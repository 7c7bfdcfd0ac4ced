import { dataRange } from '../analysis/resolve-as-of.js';
import type { Engine } from '../engines/engine.js';
import {
  compileLatestSnapshotPeriod,
  compileSnapshotStatus,
  type SnapshotKey,
} from '../sql/compile-snapshots.js';

export interface SnapshotStatus {
  /** The first and last day with data, which snapshots can cover (null before any data). */
  first_day: string | null;
  last_day: string | null;
  stored_periods: number;
  first_period_start: string | null;
  last_period_start: string | null;
  /** The day the latest period was scored as of (its last day, or the last day with data). */
  last_as_of: string | null;
}

/** The first day of the latest stored snapshot period, or null when there is none yet. */
export async function latestSnapshotPeriod(
  engine: Engine,
  key: SnapshotKey,
): Promise<string | null> {
  const q = compileLatestSnapshotPeriod(engine.dialect, key);
  const [row] = await engine.query<{ start: string | null }>(q.sql, q.params);
  return row?.start ?? null;
}

/** The stored snapshots of a definition and period kind, and the days with data they can cover. */
export async function snapshotStatus(engine: Engine, key: SnapshotKey): Promise<SnapshotStatus> {
  const range = await dataRange(engine, key.projectId);
  const q = compileSnapshotStatus(engine.dialect, key);
  const [stored] = await engine.query<{
    n: number;
    first: string | null;
    last: string | null;
    as_of: string | null;
  }>(q.sql, q.params);
  const n = Number(stored?.n ?? 0);
  return {
    first_day: range?.first ?? null,
    last_day: range?.last ?? null,
    stored_periods: n,
    first_period_start: n > 0 ? (stored?.first ?? null) : null,
    last_period_start: n > 0 ? (stored?.last ?? null) : null,
    last_as_of: n > 0 ? (stored?.as_of ?? null) : null,
  };
}
