import type { Dialect } from '../dialect/dialect.js';
import type { SqlParams, SqlValue } from '../dialect/sql-value.js';
import { type Catalogue, featureEvents, globToLike } from '../model/catalogue.js';
import { addDays } from '../time/days.js';

/** Which local days to rebuild: every day, or a set (the days that received events, plus the next). */
export type RollupScope = { kind: 'all' } | { kind: 'days'; days: readonly string[] };

/**
 * A catalogue feature defined by property conditions, ready for user_day_feature: an event counts
 * when its name matches one of the patterns and every condition holds.
 */
export interface PropertyFeature {
  name: string;
  /** Event-name LIKE patterns with backslash as the escape character (globToLike). */
  eventPatterns: readonly string[];
  /** [JSONPath into `properties`, expected text]: the value there, as text, must equal it. */
  conditions: ReadonlyArray<readonly [path: string, expected: string]>;
}

export interface RollupInput {
  projectId: string;
  timeZone: string;
  sessionGapSeconds: number;
  scope: RollupScope;
  /** Features defined by property conditions (default none: user_day_feature is only emptied). */
  propertyFeatures?: readonly PropertyFeature[] | undefined;
  /** Rebuild user_day_feature for every day whatever `scope` is (its features changed). */
  allFeatureDays?: boolean | undefined;
  /** The project has linked ids: count each event for the user its id resolves to. */
  identities?: boolean | undefined;
  /**
   * The project has group memberships: an event without an account takes its person's account
   * from them (membershipAccounts).
   */
  memberships?: boolean | undefined;
  /** The engine's SQL dialect. */
  dialect: Dialect;
}

export interface RollupStatements {
  deleteUserDay: string;
  deleteUserDayEvent: string;
  deleteUserDayFeature: string;
  insertUserDay: string;
  insertUserDayEvent: string;
  /** Null when there is no property feature: the delete alone leaves the table right. */
  insertUserDayFeature: string | null;
  params: SqlParams;
  /** The local days rebuilt, for a day scope (each dirty day and the next); null for all days. */
  rebuiltDays: string[] | null;
}

/**
 * The events a dirty-day rebuild reads, as a UTC range: local days are at most 14 hours off UTC,
 * and the range runs from two days before the first dirty day (sessions begun the day before)
 * past the day after the last one, with a day of margin each side.
 */
export function rollupEventRange(dirtyDays: readonly string[]): { lo: string; hi: string } {
  const sorted = [...dirtyDays].sort();
  return {
    lo: `${addDays(sorted[0] ?? '1970-01-01', -3)}T00:00:00Z`,
    hi: `${addDays(sorted.at(-1) ?? '1970-01-01', 3)}T00:00:00Z`,
  };
}

/**
 * Who an event counts for. Without linked ids: its user id, else its anonymous id (flagged
 * anonymous, left out of every count). With them, the id an event is keyed by (user id, else
 * anonymous id) is looked up in identity_map first, so pre-login and aliased events count for
 * the person they resolve to.
 */
function resolvedPerson(identities: boolean, d: Dialect): { columns: string; from: string } {
  if (!identities) {
    // Qualified: ClickHouse reads a bare user_id here as the alias this SELECT defines.
    return {
      columns: `coalesce(events.user_id, events.anonymous_id) AS user_id,
      ${d.bool('events.user_id IS NULL')} AS anonymous`,
      from: 'events',
    };
  }
  return {
    columns: `coalesce(m.resolved_id, events.user_id, events.anonymous_id) AS user_id,
      ${d.bool('events.user_id IS NULL AND m.resolved_id IS NULL')} AS anonymous`,
    // The map's columns are renamed so the unqualified names around this stay the events'.
    from: `events LEFT JOIN (
        SELECT alias_id, user_id AS resolved_id FROM identity_map
        WHERE project_id = ${d.param('p', 'String')}) m
      ON m.alias_id = coalesce(events.user_id, events.anonymous_id)`,
  };
}

/**
 * Each person's group memberships (group calls), once per (person, account, instant): the person
 * is the membership's user id, else its anonymous id, resolved through identity_map as events
 * are, so a group call made before sign-in belongs to whoever the visitor turned out to be.
 */
export function membershipPeople(d: Dialect): string {
  const p = d.param('p', 'String');
  const id = 'coalesce(g.user_id, g.anonymous_id)';
  return `SELECT DISTINCT coalesce(m.resolved_id, ${id}) AS user_id, g.account_id AS account_id,
      g.timestamp AS ts
    FROM group_memberships g LEFT JOIN (
        SELECT alias_id, user_id AS resolved_id FROM identity_map WHERE project_id = ${p}) m
      ON m.alias_id = ${id}
    WHERE g.project_id = ${p} AND g.account_id <> '' AND ${id} IS NOT NULL`;
}

/**
 * Events (a SELECT of user_id, anonymous, account_id, ts and `columns`) with the account of those
 * that carry none taken from their person's memberships: the latest at or before the event, else
 * (an event before the person's first group call) the first. The SDK flow identify, group, track
 * sends the account once, not on every event; and a track sent a moment before its group call
 * still lands in the account. Memberships and events go through one window per person in time
 * order, a membership first on a tie: an event's running count of memberships is the number of
 * the membership in force, looked up by (person, number). A window, not a range join, so a person
 * with many group calls costs a sort, never a product.
 */
function membershipAccounts(
  events: string,
  columns: ReadonlyArray<readonly [name: string, placeholder: string]>,
  d: Dialect,
): string {
  const names = columns.map(([c]) => c);
  const inMembership = columns.map(([c, placeholder]) => `${placeholder} AS ${c}`);
  const numbered = `SELECT user_id, account_id,
      CAST(row_number() OVER (PARTITION BY user_id ORDER BY ts, account_id) AS BIGINT) AS mseq
    FROM (${membershipPeople(d)})`;
  return `SELECT e.user_id AS user_id, e.anonymous AS anonymous,
      CASE WHEN e.account_id <> '' THEN e.account_id ELSE coalesce(ms.account_id, '') END AS account_id,
      e.ts AS ts, ${names.map((c) => `e.${c} AS ${c}`).join(', ')}
    FROM (
      SELECT *, CAST(coalesce(sum(1 - is_event) OVER (PARTITION BY user_id ORDER BY ts, is_event
          ROWS UNBOUNDED PRECEDING), 0) AS BIGINT) AS seen
      FROM (
        SELECT user_id, anonymous, account_id, ts, ${names.join(', ')}, 1 AS is_event
        FROM (${events})
        UNION ALL
        SELECT user_id, ${d.bool('1 = 0')} AS anonymous, '' AS account_id, ts,
          ${inMembership.join(', ')}, 0 AS is_event
        FROM (${membershipPeople(d)}))) e
    LEFT JOIN (${numbered}) ms ON ms.user_id = e.user_id AND ms.mseq = greatest(e.seen, 1)
    WHERE e.is_event = 1`;
}

/**
 * Rebuilt days of people who have a membership but rows without an account: their group call
 * was stored after those days were rolled up (group calls mark no day), or an identity link
 * made a visitor's membership theirs since. Rebuilding them gives the rows their account; after
 * that no such row is left, so the check finds nothing until a new membership arrives.
 */
export function compileMarkMembershipDays(d: Dialect): { count: string; mark: string } {
  const p = d.param('p', 'String');
  const rows = `FROM user_day WHERE project_id = ${p} AND account_id = ''
      AND user_id IN (SELECT user_id FROM (${membershipPeople(d)}))`;
  return {
    count: `SELECT count(*) AS n FROM (SELECT 1 ${rows} LIMIT 1)`,
    mark: `${d.insertIgnore('rollup_dirty_days')} (project_id, day) SELECT DISTINCT ${p}, day ${rows}`,
  };
}

/**
 * The rollup, written once. A late event on day D can end or continue a session begun on D-1 and
 * can change whether the first event of D+1 starts a session, so a dirty day D rebuilds D and
 * D+1, reading events from D-1 on. Sessions are cut per user (not per account) because a person's
 * attention does not restart when they switch workspace.
 */
export function compileRollup(input: RollupInput): RollupStatements {
  const d = input.dialect;
  const p = d.param('p', 'String');
  const tz = d.param('tz', 'String');
  const gap = d.param('gap', 'Int64');
  const params: Record<string, SqlValue> = {
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
    const range = rollupEventRange(input.scope.days);
    params.lo = range.lo;
    params.hi = range.hi;
    eventFilter = `AND timestamp >= ${d.param('lo', 'DateTime')} AND timestamp < ${d.param('hi', 'DateTime')}`;
    dayFilter = `AND ${d.listHas(d.param('days', 'Array(Date)'), 'day')}`;
  }
  const person = resolvedPerson(input.identities === true, d);
  const withAccounts = (
    events: string,
    columns: ReadonlyArray<readonly [name: string, placeholder: string]>,
  ): string => (input.memberships ? membershipAccounts(events, columns, d) : events);
  const localEvents = withAccounts(
    `SELECT ${person.columns},
      coalesce(account_id, '') AS account_id, timestamp AS ts, event,
      ${d.localDay('timestamp', tz)} AS day
    FROM ${person.from} WHERE project_id = ${p} ${eventFilter}`,
    [
      ['event', "''"],
      ['day', d.localDay('ts', tz)],
    ],
  );
  const readWindow =
    input.scope.kind === 'days'
      ? `WHERE ${d.listHas(d.param('days', 'Array(Date)'), 'day')} OR ${d.listHas(d.param('days', 'Array(Date)'), d.plusDays('day', '1'))}`
      : '';
  // Sessions are numbered per user by a running count of session starts; a session's length on
  // a day is the sum of its gaps there. Only sessions that start on the day are listed in
  // session_seconds (the median's input): the part of a session after local midnight, or after a
  // switch of account, adds to active_seconds but is not a session of its own. Gaps are summed
  // as whole milliseconds and the sum rounded half away from zero, so the seconds are exact and
  // the same on every engine (a sum of fractional seconds depends on the order of the terms).
  const insertUserDay = `INSERT INTO user_day (project_id, user_id, anonymous, account_id, day, events,
      sessions, active_seconds, first_seen, last_seen, session_seconds)
    SELECT ${p}, user_id, anonymous, account_id, day, sum(n), sum(starts), sum(secs),
      min(first_ts), max(last_ts), ${d.orderedListIf('secs', 'first_ts', 'starts > 0')}
    FROM (
      SELECT user_id, anonymous, account_id, day, sid, count(*) AS n,
        ${d.countIf(`gap IS NULL OR gap >= ${gap}`)} AS starts,
        CAST(coalesce(${d.round(`${d.sumIf(d.round('gap * 1000', 0), `gap < ${gap}`)} / 1000`, 0)}, 0) AS BIGINT) AS secs,
        min(ts) AS first_ts, max(ts) AS last_ts
      FROM (
        SELECT *, sum(CASE WHEN gap IS NULL OR gap >= ${gap} THEN 1 ELSE 0 END)
            OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS sid
        FROM (SELECT *, ${d.epochSeconds('ts')} - ${d.epochSeconds(d.previous('ts', 'user_id', 'ts'))} AS gap
              FROM (${localEvents}) ${readWindow}))
      WHERE true ${dayFilter}
      GROUP BY user_id, anonymous, account_id, day, sid)
    GROUP BY user_id, anonymous, account_id, day`;
  const insertUserDayEvent = `INSERT INTO user_day_event (project_id, user_id, anonymous, account_id, day,
      event, events)
    SELECT ${p}, user_id, anonymous, account_id, day, event, count(*)
    FROM (${localEvents}) WHERE true ${dayFilter}
    GROUP BY user_id, anonymous, account_id, day, event`;
  const del = (table: string, filter = dayFilter): string =>
    `DELETE FROM ${table} WHERE project_id = ${p} ${filter}`;
  const allFeatureDays = input.allFeatureDays === true || input.scope.kind === 'all';
  const featureDayFilter = allFeatureDays ? '' : dayFilter;
  const featureEventFilter = allFeatureDays ? '' : eventFilter;
  const features = (input.propertyFeatures ?? []).filter((f) => f.eventPatterns.length > 0);
  let insertUserDayFeature: string | null = null;
  if (features.length > 0) {
    // One scan of the events: each event yields the distinct names of the features it matches
    // (two definitions of one name count an event once). Every name, pattern, JSON path and
    // expected value is a bound parameter. A condition on an event without properties, or without
    // that property, is NULL: the event does not match.
    const nameMatches: string[] = [];
    const featureCases: string[] = [];
    features.forEach((f, i) => {
      const k = `pf${i}`;
      params[`${k}_name`] = f.name;
      const names = f.eventPatterns.map((pattern, j) => {
        params[`${k}_e${j}`] = pattern;
        return d.like('event', d.param(`${k}_e${j}`, 'String'));
      });
      const nameMatch = `(${names.join(' OR ')})`;
      const conditions = f.conditions.map(([path, expected], j) => {
        params[`${k}_k${j}`] = path;
        params[`${k}_v${j}`] = expected;
        return `${d.jsonText('properties', d.param(`${k}_k${j}`, 'String'))} = ${d.param(`${k}_v${j}`, 'String')}`;
      });
      nameMatches.push(nameMatch);
      featureCases.push(
        `CASE WHEN ${[nameMatch, ...conditions].join(' AND ')} THEN ${d.param(`${k}_name`, 'String')} END`,
      );
    });
    const featureEvents = withAccounts(
      `SELECT ${person.columns},
        coalesce(account_id, '') AS account_id, ${input.memberships ? 'timestamp AS ts, ' : ''}event, properties,
        ${d.localDay('timestamp', tz)} AS day
      FROM ${person.from} WHERE project_id = ${p} ${featureEventFilter}`,
      [
        ['event', "''"],
        ['properties', "'{}'"],
        ['day', d.localDay('ts', tz)],
      ],
    );
    insertUserDayFeature = `INSERT INTO user_day_feature (project_id, user_id, anonymous, account_id,
        day, feature, events)
      SELECT ${p}, user_id, anonymous, account_id, day, feature, count(*)
      FROM (
        SELECT user_id, anonymous, account_id, day,
          ${d.unnestDistinct(`[${featureCases.join(',\n            ')}]`)} AS feature
        FROM (${featureEvents})
        WHERE (${nameMatches.join(' OR ')}) ${featureDayFilter})
      GROUP BY user_id, anonymous, account_id, day, feature`;
  }
  return {
    deleteUserDay: del('user_day'),
    deleteUserDayEvent: del('user_day_event'),
    deleteUserDayFeature: del('user_day_feature', featureDayFilter),
    insertUserDay,
    insertUserDayEvent,
    insertUserDayFeature,
    params,
    rebuiltDays,
  };
}

/**
 * A property path as a JSONPath into `properties`, which both engines read: dots separate the
 * levels (`plan.tier` is $."plan"."tier"), each key quoted, so a key may hold any character but a
 * dot.
 */
export function propertyPath(path: string): string {
  const keys = path
    .split('.')
    .map((key) => `."${key.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  return `$${keys.join('')}`;
}

/**
 * The text a property must have for a condition to hold: strings as they are, numbers as
 * String(n) writes them (5, 2.5, -1), booleans as true / false. The property is read with
 * json_extract_string, so `5` matches both the JSON number 5 and the string "5", but not 5.0.
 */
export function expectedText(value: string | number | boolean): string {
  return typeof value === 'string' ? value : String(value);
}

/** The catalogue's features that have property conditions (`where`), in catalogue order. */
export function propertyFeatures(catalogue: Catalogue | undefined): PropertyFeature[] {
  return (catalogue?.features ?? []).flatMap((f) =>
    f.where
      ? [
          {
            name: f.name,
            eventPatterns: featureEvents(f).map(globToLike),
            conditions: Object.entries(f.where).map(
              ([path, value]) => [propertyPath(path), expectedText(value)] as const,
            ),
          },
        ]
      : [],
  );
}
