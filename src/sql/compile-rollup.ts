import type { SqlParams } from '../engines/engine.js';
import { addDays } from '../time/days.js';

/** Which local days to rebuild: every day, or a set (the days that received events, plus the next). */
export type RollupScope = { kind: 'all' } | { kind: 'days'; days: readonly string[] };

export interface RollupInput {
  projectId: string;
  timeZone: string;
  sessionGapSeconds: number;
  scope: RollupScope;
}

export interface RollupStatements {
  deleteUserDay: string;
  deleteUserDayEvent: string;
  insertUserDay: string;
  insertUserDayEvent: string;
  params: SqlParams;
  /** The local days rebuilt, for a day scope (each dirty day and the next); null for all days. */
  rebuiltDays: string[] | null;
}

/**
 * The rollup, written once. A late event on day D can end or continue a session begun on D-1 and
 * can change whether the first event of D+1 starts a session, so a dirty day D rebuilds D and
 * D+1, reading events from D-1 on. Sessions are cut per user (not per account) because a person's
 * attention does not restart when they switch workspace.
 */
export function compileRollup(input: RollupInput): RollupStatements {
  const params: Record<string, string | number | string[]> = {
    p: input.projectId,
    tz: input.timeZone,
    gap: input.sessionGapSeconds,
  };
  let eventFilter = '';
  let dayFilter = '';
  let rebuiltDays: string[] | null = null;
  if (input.scope.kind === 'days') {
    const rebuilt = new Set<string>();
    for (const d of input.scope.days) {
      rebuilt.add(d);
      rebuilt.add(addDays(d, 1));
    }
    const days = [...rebuilt].sort();
    rebuiltDays = days;
    params.days = days;
    // Local days are at most 14 hours off UTC; two days of margin keep the range scan safe.
    params.lo = `${addDays(days[0] ?? '1970-01-01', -3)}T00:00:00Z`;
    params.hi = `${addDays(days.at(-1) ?? '1970-01-01', 2)}T00:00:00Z`;
    eventFilter = `AND timestamp >= CAST($lo AS TIMESTAMPTZ) AND timestamp < CAST($hi AS TIMESTAMPTZ)`;
    dayFilter = 'AND list_contains(CAST($days AS DATE[]), day)';
  }
  const localEvents = `SELECT coalesce(user_id, anonymous_id) AS user_id, user_id IS NULL AS anonymous,
      coalesce(account_id, '') AS account_id, timestamp AS ts, event,
      CAST(timezone($tz, timestamp) AS DATE) AS day
    FROM events WHERE project_id = $p ${eventFilter}`;
  const readWindow =
    input.scope.kind === 'days'
      ? `WHERE list_contains(CAST($days AS DATE[]), day) OR list_contains(CAST($days AS DATE[]), day + 1)`
      : '';
  // Sessions are numbered per user by a running count of session starts; a session's length on
  // a day is the sum of its gaps there. Only sessions that start on the day are listed in
  // session_seconds (the median's input): the part of a session after local midnight, or after a
  // switch of account, adds to active_seconds but is not a session of its own.
  const insertUserDay = `INSERT INTO user_day (project_id, user_id, anonymous, account_id, day, events,
      sessions, active_seconds, first_seen, last_seen, session_seconds)
    SELECT $p, user_id, anonymous, account_id, day, sum(n), sum(starts), sum(secs),
      min(first_ts), max(last_ts), list(secs ORDER BY first_ts) FILTER (WHERE starts > 0)
    FROM (
      SELECT user_id, anonymous, account_id, day, sid, count(*) AS n,
        count(*) FILTER (WHERE gap IS NULL OR gap >= $gap) AS starts,
        CAST(coalesce(sum(gap) FILTER (WHERE gap < $gap), 0) AS BIGINT) AS secs,
        min(ts) AS first_ts, max(ts) AS last_ts
      FROM (
        SELECT *, sum(CASE WHEN gap IS NULL OR gap >= $gap THEN 1 ELSE 0 END)
            OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS sid
        FROM (SELECT *, epoch(ts) - epoch(lag(ts) OVER (PARTITION BY user_id ORDER BY ts)) AS gap
              FROM (${localEvents}) ${readWindow}))
      WHERE true ${dayFilter}
      GROUP BY user_id, anonymous, account_id, day, sid)
    GROUP BY user_id, anonymous, account_id, day`;
  const insertUserDayEvent = `INSERT INTO user_day_event (project_id, user_id, anonymous, account_id, day,
      event, events)
    SELECT $p, user_id, anonymous, account_id, day, event, count(*)
    FROM (${localEvents}) WHERE true ${dayFilter}
    GROUP BY user_id, anonymous, account_id, day, event`;
  const del = (table: string): string => `DELETE FROM ${table} WHERE project_id = $p ${dayFilter}`;
  return {
    deleteUserDay: del('user_day'),
    deleteUserDayEvent: del('user_day_event'),
    insertUserDay,
    insertUserDayEvent,
    params,
    rebuiltDays,
  };
}
