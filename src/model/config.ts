import { existsSync, readFileSync } from 'node:fs';
import { type Document, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { CatalogueSchema } from './catalogue.js';
import { CollectorConfigSchema } from './collector-config.js';
import { DefinitionSchema, plainName } from './definition.js';
import { formatIssues } from './format-issues.js';
import { LifecycleConfigSchema } from './lifecycle-config.js';
import { SegmentSchema } from './segments.js';

/** Whether the runtime knows this IANA time zone (Intl validates the name). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const ConfigSchema = z
  .object({
    project: z.string().min(1).default('default').describe('Project id every row is stored under.'),
    timeZone: z
      .string()
      .refine(isTimeZone, { message: 'not an IANA time zone (e.g. UTC, Europe/Berlin)' })
      .default('UTC')
      .describe('Days, weeks and the as-of date are counted in this zone.'),
    sessionGapMinutes: z
      .number()
      .positive()
      .max(1440)
      .default(30)
      .describe('A new session starts after this many minutes without events.'),
    memoryLimit: z
      .string()
      .optional()
      .describe('DuckDB memory limit such as 4GB; DuckDB defaults to 80% of RAM.'),
    catalogue: CatalogueSchema.default(CatalogueSchema.parse({})).describe(
      'Which events are which features (powerlens catalog --write starts one from the data).',
    ),
    definitions: z
      .record(plainName, DefinitionSchema)
      .default({})
      .describe('Named power-user definitions; "default" replaces the built-in one.'),
    collector: CollectorConfigSchema.default(CollectorConfigSchema.parse({})).describe(
      'What powerlens serve accepts (limits per route) and how it paces loading and rollups.',
    ),
    segments: z
      .record(plainName, SegmentSchema)
      .default({})
      .describe(
        'Segments of power users; innovator, advocate and optimizer are built in (replace or drop them by name).',
      ),
    lifecycle: LifecycleConfigSchema.default(LifecycleConfigSchema.parse({})).describe(
      'Snapshots over time: the period, and what makes a power user at risk or a user emerging.',
    ),
    api: z
      .object({
        request_timeout_seconds: z
          .number()
          .positive()
          .max(3600)
          .default(120)
          .describe('An API request that needs the database longer than this is stopped (503).'),
      })
      .strict()
      .default({ request_timeout_seconds: 120 })
      .describe('The REST API under /api/v1 that serve answers.'),
    default_definition: plainName
      .optional()
      .describe('The definition used when --definition is not given (default: "default").'),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

export const DEFAULT_CONFIG_FILE = 'powerlens.yaml';

/** Parses YAML text into a config, with errors that name the file, line and key path. */
export function parseConfigText(text: string, file: string): Config {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => {
      const at = lineCounter.linePos(e.pos[0]);
      return `  ${file}:${at.line}:${at.col}: ${e.message.split('\n')[0]}`;
    });
    throw new ConfigError(`${file} is not valid YAML:\n${lines.join('\n')}`);
  }
  const parsed = ConfigSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    throw new ConfigError(
      `invalid configuration:\n${formatIssues(parsed.error.issues, file, doc, lineCounter, ConfigSchema)}`,
    );
  }
  return parsed.data;
}

/** Loads powerlens.yaml (or the given file); with no file, every setting takes its default. */
export function loadConfig(path: string | undefined): Config {
  const file = path ?? DEFAULT_CONFIG_FILE;
  if (!existsSync(file)) {
    if (path) throw new ConfigError(`config file ${path} does not exist.`);
    return ConfigSchema.parse({});
  }
  return parseConfigText(readFileSync(file, 'utf8'), file);
}
