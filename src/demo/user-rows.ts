import { PLANS, type Plan } from './accounts.js';
import type { Behaviour, DayPlan } from './behaviours/behaviour.js';
import { ALL_EVENTS, type EventName } from './event-vocabulary.js';
import { type Person, PLATFORMS, type Platform } from './population.js';
import type { Prng } from './prng.js';
import { ascii, type RowSink } from './row-sink.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const FIRST_SESSION_MS = 6 * HOUR_MS;
const LAST_FIRST_SESSION_MS = 20 * HOUR_MS;
const LAST_SESSION_START_MS = 21 * HOUR_MS;
const MIN_SESSION_GAP_MS = 45 * MINUTE_MS;
const EXTRA_SESSION_GAP_MS = 150 * MINUTE_MS;
const MIN_EVENT_GAP_MS = 5_000;
const EXTRA_EVENT_GAP_MS = 235_000;
/** Share of sessions on the user's usual platform. */
const HOME_PLATFORM_SHARE = 0.92;
/** Upper bound of one row's length; ids and names are far shorter. */
const MAX_ROW_BYTES = 512;
const COMMA = 44;

const EVENT_BYTES = new Map<EventName, Uint8Array>(ALL_EVENTS.map((e) => [e, ascii(`${e},`)]));
const TAILS = new Map<string, Uint8Array>(
  PLATFORMS.flatMap((platform) =>
    PLANS.map((plan) => [`${platform},${plan}`, ascii(`${platform},${plan},\n`)] as const),
  ),
);
const tailOf = (platform: Platform, plan: Plan) => TAILS.get(`${platform},${plan}`) as Uint8Array;

/** One user's writing state; the constant parts of a row are encoded once per user. */
interface UserWriter {
  sink: RowSink;
  rng: Prng;
  behaviour: Behaviour;
  home: Platform;
  others: Platform[];
  tails: Map<Platform, Uint8Array>;
  idPrefix: Uint8Array;
  who: Uint8Array;
  tail: Uint8Array;
  datePrefix: Uint8Array;
  /** Milliseconds since midnight of the next row. */
  t: number;
  /** Whether the current session has a row yet (the next row then comes a few seconds later). */
  inSession: boolean;
  n: number;
}

/** The message id and timestamp, the part every row starts with. */
function writeRowStart(w: UserWriter, msOfDay: number): void {
  const sink = w.sink;
  sink.reserve(MAX_ROW_BYTES);
  sink.bytes(w.idPrefix);
  sink.uint(w.n++);
  sink.byte(COMMA);
  sink.bytes(w.datePrefix);
  sink.timeOfDay(msOfDay);
}

function emit(w: UserWriter, event: EventName): void {
  if (w.inSession) {
    w.t += MIN_EVENT_GAP_MS + Math.floor(EXTRA_EVENT_GAP_MS * w.rng.float() ** 2);
  }
  w.inSession = true;
  if (w.t >= DAY_MS) return;
  writeRowStart(w, w.t);
  w.sink.bytes(w.who);
  w.sink.bytes(EVENT_BYTES.get(event) as Uint8Array);
  w.sink.bytes(w.tail);
}

/** Pre-sign-up visits start before the first session of the day can (06:00). */
const ANONYMOUS_VISIT_MS = 5 * HOUR_MS;
/** After the timestamp: no user id, no account, the event. */
const PAGE_VIEWED = ascii(',,,page_viewed,');

/**
 * Before their first active day, most people visit the marketing site without an account: a few
 * page views under an anonymous id only, which analyses must not count as a user.
 */
function writeAnonymousVisit(w: UserWriter, seed: number, person: Person): void {
  if (!w.rng.chance(0.7)) return;
  const views = 1 + Math.floor(w.rng.float() * 3);
  // Platform, no plan (no account yet), the anonymous id.
  const tail = ascii(`${person.platform},,anon-${seed}-${person.index}\n`);
  for (let i = 0; i < views; i++) {
    writeRowStart(w, ANONYMOUS_VISIT_MS + i * 2 * MINUTE_MS);
    w.sink.bytes(PAGE_VIEWED);
    w.sink.bytes(tail);
  }
}

/** Lays a day's events out in sessions around the preferred hour, 45+ minutes apart. */
function writeDay(w: UserWriter, plan: DayPlan): void {
  const rng = w.rng;
  const start = Math.round((w.behaviour.preferredHour + rng.between(-1.5, 1.5)) * HOUR_MS);
  w.t = Math.min(LAST_FIRST_SESSION_MS, Math.max(FIRST_SESSION_MS, start));
  let remaining = plan.bodyEvents;
  for (let s = 0; s < plan.sessions && w.t <= LAST_SESSION_START_MS; s++) {
    const left = plan.sessions - s;
    const share = left === 1 ? remaining : Math.round((remaining / left) * rng.between(0.6, 1.4));
    const body = Math.min(remaining, share);
    remaining -= body;
    const platform = rng.chance(HOME_PLATFORM_SHARE) ? w.home : rng.pick(w.others);
    w.tail = w.tails.get(platform) as Uint8Array;
    w.inSession = false;
    const opener = w.behaviour.opener(platform, s);
    if (opener) emit(w, opener);
    if (s === 0 && plan.forced) for (const e of plan.forced) emit(w, e);
    for (let i = 0; i < body; i++) emit(w, plan.table.pick(rng));
    w.t += MIN_SESSION_GAP_MS + Math.floor(EXTRA_SESSION_GAP_MS * rng.float());
  }
}

/** Writes one user's rows for the whole window into `sink`, day by day; returns how many. */
export function writeUserRows(
  sink: RowSink,
  seed: number,
  person: Person,
  behaviour: Behaviour,
  datePrefixes: readonly Uint8Array[],
  rng: Prng,
): number {
  const w: UserWriter = {
    sink,
    rng,
    behaviour,
    home: person.platform,
    others: PLATFORMS.filter((p) => p !== person.platform),
    tails: new Map(PLATFORMS.map((p) => [p, tailOf(p, person.plan)])),
    idPrefix: ascii(`${seed}-${person.index}-`),
    who: ascii(`,${person.userId},${person.accountId},`),
    tail: tailOf(person.platform, person.plan),
    datePrefix: new Uint8Array(0),
    t: 0,
    inSession: false,
    n: 0,
  };
  let visited = false;
  for (let day = 0; day < datePrefixes.length; day++) {
    const plan = behaviour.planDay(day);
    if (!plan) continue;
    w.datePrefix = datePrefixes[day] as Uint8Array;
    if (!visited) writeAnonymousVisit(w, seed, person);
    visited = true;
    writeDay(w, plan);
  }
  return w.n;
}
