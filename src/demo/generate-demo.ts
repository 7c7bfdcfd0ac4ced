import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PlantedTimeline } from './behaviours/behaviour.js';
import { type ChunkProgress, csvChunks } from './csv-chunks.js';
import { aiAssistantReleaseDate, buildCalendar } from './demo-calendar.js';
import { buildPopulation } from './population.js';
import { deriveSeed, Prng } from './prng.js';
import { truthJson } from './truth-file.js';

export interface DemoOptions {
  /** Deterministic: the same options give byte-identical files. */
  seed: number;
  users: number;
  /** History length in days, ending on `end`. */
  days: number;
  /** Last day with data, 'YYYY-MM-DD' (UTC). */
  end: string;
  /** CSV file to write; parent directories are created. */
  outPath: string;
  /** JSON file with the planted user types, written after the CSV. */
  truthPath: string;
  /** Called about every 100k events, and once at the end. */
  onProgress?: (eventsWritten: number) => void;
}

export interface DemoResult {
  events: number;
  users: number;
  accounts: number;
}

/** Seed stream for the population (types, accounts, platforms), distinct from behaviour's. */
const POPULATION_STREAM = 0;

function validate(o: DemoOptions): void {
  if (!Number.isSafeInteger(o.seed)) throw new Error(`seed must be an integer, got ${o.seed}.`);
  if (!Number.isSafeInteger(o.users) || o.users < 1) {
    throw new Error(`users must be a positive integer, got ${o.users}.`);
  }
  if (!Number.isSafeInteger(o.days) || o.days < 1) {
    throw new Error(`days must be a positive integer, got ${o.days}.`);
  }
}

/**
 * Writes a synthetic event log with planted power, heavy-but-shallow, regular, casual, emerging
 * and fading users, plus a truth file naming each user's type, when fading and emerging users
 * change, and each account's planted traits. Streams user by user, so memory
 * stays flat at any size.
 */
export async function generateDemo(o: DemoOptions): Promise<DemoResult> {
  validate(o);
  const calendar = buildCalendar(o.end, o.days);
  const population = buildPopulation(o.users, new Prng(deriveSeed(o.seed, POPULATION_STREAM, 0)));
  await mkdir(dirname(o.outPath), { recursive: true });
  await mkdir(dirname(o.truthPath), { recursive: true });

  const progress: ChunkProgress = { events: 0, onProgress: o.onProgress };
  const timelines = new Map<number, PlantedTimeline>();
  // pipeline honours write() returning false: the generator is only pulled after 'drain'.
  await pipeline(
    Readable.from(csvChunks(o.seed, population.people, calendar, progress, timelines), {
      highWaterMark: 4,
    }),
    createWriteStream(o.outPath, { highWaterMark: 1 << 20 }),
  );
  o.onProgress?.(progress.events);

  const truth = truthJson(
    {
      seed: o.seed,
      users: o.users,
      days: o.days,
      end: o.end,
      events: progress.events,
      aiAssistantReleased: aiAssistantReleaseDate(o.end),
    },
    population,
    { days: calendar.dayPrefixes.map((p) => p.slice(0, 10)), timelines },
  );
  await writeFile(o.truthPath, truth);
  return { events: progress.events, users: o.users, accounts: population.accounts.length };
}
