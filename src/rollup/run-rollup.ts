import type { Engine } from '../engines/engine.js';
import { compileRollup, type RollupScope } from '../sql/compile-rollup.js';

/** Bumped when the rollup tables gain content older builds lack: a stale build is rebuilt. */
export const ROLLUP_VERSION = 2;

export interface RollupOptions {
  projectId: string;
  timeZone: string;
  sessionGapMinutes: number;
  /** Rebuild every day, not only the dirty ones. */
  full?: boolean | undefined;
  now?: Date | undefined;
}

export interface RollupReport {
  mode: 'full' | 'incremental' | 'up-to-date';
  /** Why a full rebuild happened, when it did. */
  reason?: string;
  days_rebuilt: number;
  user_days: number;
  seconds: number;
}

/**
 * Refreshes user_day and user_day_event: incrementally from the dirty days, or fully when asked,
 * when nothing was built yet, or when the time zone or session gap changed since the last build.
 * Runs in one transaction, so a refresh run twice changes nothing the second time.
 */
export async function runRollup(engine: Engine, options: RollupOptions): Promise<RollupReport> {
  const started = performance.now();
  const gapSeconds = Math.round(options.sessionGapMinutes * 60);
  const p = options.projectId;
  return engine.transaction(async () => {
    const state = await engine.query<{
      time_zone: string;
      session_gap_seconds: number;
      rollup_version: number;
    }>(
      'SELECT time_zone, session_gap_seconds, rollup_version FROM rollup_state WHERE project_id = $p',
      { p },
    );
    const dirty = (
      await engine.query<{ day: string }>(
        `SELECT strftime(day, '%Y-%m-%d') AS day FROM rollup_dirty_days WHERE project_id = $p ORDER BY day`,
        { p },
      )
    ).map((r) => r.day);
    const prior = state[0];
    let reason: string | undefined;
    if (options.full) reason = 'requested';
    else if (!prior) reason = 'first build';
    else if (prior.time_zone !== options.timeZone) {
      reason = `time zone changed from ${prior.time_zone} to ${options.timeZone}`;
    } else if (prior.session_gap_seconds !== gapSeconds) reason = 'session gap changed';
    else if (prior.rollup_version < ROLLUP_VERSION) reason = 'rollup format upgraded';

    if (!reason && dirty.length === 0) {
      return { mode: 'up-to-date', days_rebuilt: 0, user_days: 0, seconds: 0 };
    }
    const scope: RollupScope = reason ? { kind: 'all' } : { kind: 'days', days: dirty };
    const s = compileRollup({
      projectId: p,
      timeZone: options.timeZone,
      sessionGapSeconds: gapSeconds,
      scope,
    });
    await engine.run(s.deleteUserDay, s.params);
    await engine.run(s.deleteUserDayEvent, s.params);
    const user_days = await engine.run(s.insertUserDay, s.params);
    await engine.run(s.insertUserDayEvent, s.params);
    // Dirty days are consumed only now, in the same transaction as the rebuild.
    await engine.run('DELETE FROM rollup_dirty_days WHERE project_id = $p', { p });
    await engine.run(
      `INSERT OR REPLACE INTO rollup_state (project_id, time_zone, session_gap_seconds, refreshed_at,
         rollup_version)
       VALUES ($p, $tz, $gap, CAST($now AS TIMESTAMPTZ), $v)`,
      {
        p,
        tz: options.timeZone,
        gap: gapSeconds,
        now: (options.now ?? new Date()).toISOString(),
        v: ROLLUP_VERSION,
      },
    );
    const days_rebuilt =
      s.rebuiltDays?.length ??
      (
        await engine.query<{ n: number }>(
          'SELECT count(DISTINCT day) AS n FROM user_day WHERE project_id = $p',
          { p },
        )
      )[0]?.n ??
      0;
    const report: RollupReport = {
      mode: reason ? 'full' : 'incremental',
      days_rebuilt,
      user_days,
      seconds: (performance.now() - started) / 1000,
    };
    if (reason) report.reason = reason;
    return report;
  });
}
