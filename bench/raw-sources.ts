/**
 * The raw-event baseline of the report benchmark: hand-written DuckDB SQL that computes, straight
 * from `events`, what the report reads from the rollups, restricted to the days the report needs.
 * It fills two temp tables that compileSignals reads through its `sources`:
 *
 * - `raw_user_day`: user_day for the look-back of the signals (active weeks and trend: the
 *   greatest of 91 days and two windows), with sessions cut exactly as src/sql/compile-rollup.ts
 *   does (30-minute gap per user, the day before read so the first gap of the range is right); for
 *   the days outside it, only two cheap rows per (user, anonymous, account), on the first and the
 *   last day seen, the first carrying the count of those events: all that first_seen (tenure) and
 *   the report totals read there;
 * - `raw_user_day_event`: the events per user and event name in the window. The report only sums
 *   them over the window, so the rows are not split by day and account (one GROUP BY over the
 *   window's events instead of one per day); with a catalogue with release dates (early adoption
 *   reads days) they would have to be.
 *
 * Temp tables, not inline subqueries: the signals read user_day in several places and the report
 * runs two statements over the catalogue, and a hand-written report would not sessionise twice.
 * Everything here is a bench constant or a bound parameter.
 */
import type { SqlParams } from '../src/dialect/sql-value.js';
import type { Catalogue } from '../src/model/catalogue.js';
import type { SignalSources } from '../src/sql/compile-signals.js';
import { addDays } from '../src/time/days.js';

export interface RawSourcesInput {
  projectId: string;
  asOf: string;
  windowDays: number;
  timeZone: string;
  sessionGapSeconds: number;
  catalogue: Catalogue;
}

export interface RawSources {
  statements: string[];
  params: SqlParams;
  sources: SignalSources;
}

/** Local days are at most 14 hours off UTC: two days of margin keep every timestamp range safe. */
const MARGIN_DAYS = 2;

export function compileRawSources(input: RawSourcesInput): RawSources {
  if (input.catalogue.features.some((f) => f.released !== undefined || f.where !== undefined)) {
    throw new Error(
      'the raw baseline covers catalogues without release dates or property features',
    );
  }
  const lookBack = Math.max(91, 2 * input.windowDays);
  // Local days in (asOf - lookBack, asOf] get full user_day rows; one day before them is read
  // too, so the gap before the first event of the range is the real one.
  const first = addDays(input.asOf, 1 - lookBack);
  const windowFirst = addDays(input.asOf, 1 - input.windowDays);
  const params: SqlParams = {
    p: input.projectId,
    tz: input.timeZone,
    gap: input.sessionGapSeconds,
    first,
    asof: input.asOf,
    win_first: windowFirst,
    lo: `${addDays(first, -1 - MARGIN_DAYS)}T00:00:00Z`,
    hi: `${addDays(input.asOf, 1 + MARGIN_DAYS)}T00:00:00Z`,
    inner_lo: `${addDays(first, MARGIN_DAYS)}T00:00:00Z`,
    inner_hi: `${addDays(input.asOf, 1 - MARGIN_DAYS)}T00:00:00Z`,
    win_lo: `${addDays(windowFirst, -MARGIN_DAYS)}T00:00:00Z`,
  };
  // A UTC project's local day is plain arithmetic on the epoch; any other zone needs timezone()
  // (ICU, several times slower), as the rollup always does.
  const day =
    input.timeZone === 'UTC'
      ? `DATE '1970-01-01' + CAST(epoch_us(timestamp) // 86400000000 AS INTEGER)`
      : 'CAST(timezone($tz, timestamp) AS DATE)';
  const local = `coalesce(user_id, anonymous_id) AS user_id, user_id IS NULL AS anonymous,
      coalesce(account_id, '') AS account_id, timestamp AS ts, ${day} AS day`;
  const inRange = 'day >= CAST($first AS DATE) AND day <= CAST($asof AS DATE)';
  const userDay = `CREATE OR REPLACE TEMP TABLE raw_user_day AS
  WITH ev AS (
    SELECT ${local} FROM events
    WHERE project_id = $p AND timestamp >= CAST($lo AS TIMESTAMPTZ)
      AND timestamp < CAST($hi AS TIMESTAMPTZ)),
  gaps AS (
    SELECT *, epoch(ts) - epoch(lag(ts) OVER (PARTITION BY user_id ORDER BY ts)) AS gap FROM ev),
  sessions AS (
    SELECT *, sum(CASE WHEN gap IS NULL OR gap >= $gap THEN 1 ELSE 0 END)
        OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS sid
    FROM gaps),
  fragments AS (
    SELECT user_id, anonymous, account_id, day, sid, count(*) AS n,
      count(*) FILTER (WHERE gap IS NULL OR gap >= $gap) AS starts,
      CAST(coalesce(round(sum(round(gap * 1000)) FILTER (WHERE gap < $gap) / 1000), 0) AS BIGINT) AS secs,
      min(ts) AS first_ts, max(ts) AS last_ts
    FROM sessions WHERE ${inRange}
    GROUP BY user_id, anonymous, account_id, day, sid)
  SELECT CAST($p AS VARCHAR) AS project_id, user_id, anonymous, account_id, day,
    CAST(sum(n) AS BIGINT) AS events, CAST(sum(starts) AS INTEGER) AS sessions,
    CAST(sum(secs) AS BIGINT) AS active_seconds,
    min(first_ts) AS first_seen, max(last_ts) AS last_seen,
    CAST(list(secs) FILTER (WHERE starts > 0) AS INTEGER[]) AS session_seconds
  FROM fragments GROUP BY user_id, anonymous, account_id, day
  UNION ALL
  SELECT CAST($p AS VARCHAR), user_id, anonymous, account_id, unnest([min(day), max(day)]),
    unnest([count(*), CAST(0 AS BIGINT)]), 0, CAST(0 AS BIGINT), min(ts), max(ts),
    CAST([] AS INTEGER[])
  FROM (SELECT ${local} FROM events
        WHERE project_id = $p AND (timestamp < CAST($inner_lo AS TIMESTAMPTZ)
          OR timestamp >= CAST($inner_hi AS TIMESTAMPTZ)))
  WHERE NOT (${inRange})
  GROUP BY user_id, anonymous, account_id`;
  const userDayEvent = `CREATE OR REPLACE TEMP TABLE raw_user_day_event AS
  SELECT CAST($p AS VARCHAR) AS project_id, user_id, anonymous, '' AS account_id,
    CAST($asof AS DATE) AS day, event, count(*) AS events
  FROM (SELECT ${local}, event FROM events
        WHERE project_id = $p AND timestamp >= CAST($win_lo AS TIMESTAMPTZ)
          AND timestamp < CAST($hi AS TIMESTAMPTZ))
  WHERE day >= CAST($win_first AS DATE) AND day <= CAST($asof AS DATE)
  GROUP BY user_id, anonymous, event`;
  const userDayFeature = `CREATE OR REPLACE TEMP TABLE raw_user_day_feature AS
  SELECT CAST(NULL AS VARCHAR) AS project_id, CAST(NULL AS VARCHAR) AS user_id,
    false AS anonymous, '' AS account_id, CAST(NULL AS DATE) AS day,
    CAST(NULL AS VARCHAR) AS feature, CAST(0 AS BIGINT) AS events
  WHERE false`;
  return {
    statements: [userDay, userDayEvent, userDayFeature],
    params,
    sources: {
      userDay: 'raw_user_day',
      userDayEvent: 'raw_user_day_event',
      userDayFeature: 'raw_user_day_feature',
    },
  };
}
