import type { PlantedTimeline } from './behaviours/behaviour.js';
import { createBehaviour } from './behaviours/create-behaviour.js';
import type { DemoCalendar } from './demo-calendar.js';
import type { Person } from './population.js';
import { deriveSeed, Prng } from './prng.js';
import { ascii, RowSink } from './row-sink.js';
import { writeUserRows } from './user-rows.js';

export const CSV_HEADER =
  'message_id,timestamp,user_id,account_id,event,platform,plan,anonymous_id';

const PROGRESS_EVERY = 100_000;
/** Seed stream for per-user behaviour, distinct from the population's. */
export const BEHAVIOUR_STREAM = 1;

export interface ChunkProgress {
  events: number;
  onProgress?: ((eventsWritten: number) => void) | undefined;
}

/**
 * The CSV as a lazy sequence of ~1 MiB buffers, user by user. Each user draws from a generator
 * seeded by (seed, user index) alone, so a user's rows do not depend on anyone else's. The
 * timelines of behaviours that change (fading, emerging) go into `timelines` by user index.
 */
export function* csvChunks(
  seed: number,
  people: readonly Person[],
  calendar: DemoCalendar,
  progress: ChunkProgress,
  timelines?: Map<number, PlantedTimeline>,
): Generator<Buffer> {
  const datePrefixes = calendar.dayPrefixes.map(ascii);
  const sink = new RowSink();
  sink.reserve(CSV_HEADER.length + 1);
  sink.bytes(ascii(`${CSV_HEADER}\n`));
  let nextReport = PROGRESS_EVERY;
  for (const person of people) {
    const rng = new Prng(deriveSeed(seed, BEHAVIOUR_STREAM, person.index));
    const behaviour = createBehaviour(person, { calendar }, rng);
    if (timelines && behaviour.timeline) timelines.set(person.index, behaviour.timeline);
    progress.events += writeUserRows(sink, seed, person, behaviour, datePrefixes, rng);
    if (progress.events >= nextReport) {
      progress.onProgress?.(progress.events);
      nextReport = (Math.floor(progress.events / PROGRESS_EVERY) + 1) * PROGRESS_EVERY;
    }
    yield* sink.takeFull();
  }
  yield* sink.takeAll();
}
