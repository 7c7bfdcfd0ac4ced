import { existsSync, readFileSync } from 'node:fs';
import { type Document, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { CatalogueSchema } from './catalogue.js';
import { CollectorConfigSchema } from './collector-config.js';
import { DefinitionSchema, plainName } from './definition.js';
import { formatIssues } from './format-issues.js';
import { LifecycleConfigSchema } from './lifecycle-config.js';
import { PlaybookSchema } from './playbook.js';
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

/**
 * What one project may set for itself under `projects: <id>:`. Each project's definitions,
 * catalogue, segments and lifecycle are its own: the API writes there, so one project's change
 * never reaches another. The top-level keys are the defaults every project starts from.
 */
const ProjectSettingsSchema = z
  .object({
    catalogue: CatalogueSchema.optional().describe('Replaces the top-level catalogue.'),
    definitions: z
      .record(plainName, DefinitionSchema)
      .optional()
      .describe('Added to the top-level definitions; a name given here replaces that one.'),
    segments: z
      .record(plainName, SegmentSchema)
      .optional()
      .describe('Added to the top-level segments; a name given here replaces that one.'),
    lifecycle: LifecycleConfigSchema.optional().describe('Replaces the top-level lifecycle.'),
    playbooks: z
      .record(plainName, PlaybookSchema)
      .optional()
      .describe('Added to the top-level playbooks; a name given here replaces that one.'),
    default_definition: plainName.optional(),
  })
  .strict();

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
    playbooks: z
      .record(plainName, PlaybookSchema)
      .default({})
      .describe(
        'Actions on power users: a trigger, filters, webhooks to send, limits (docs/playbooks.md).',
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
    projects: z
      .record(z.string().min(1).max(200), ProjectSettingsSchema)
      .default({})
      .describe(
        "Each project's own definitions, catalogue, segments, lifecycle and playbooks, over the top-level ones.",
      ),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

/**
 * The config as one project sees it: the top-level settings with the project's own over them.
 * Looked up as an own key, so a project id such as "constructor" finds nothing inherited.
 */
export function configForProject(config: Config, projectId: string): Config {
  const own = Object.hasOwn(config.projects, projectId) ? config.projects[projectId] : undefined;
  if (!own) return config;
  return {
    ...config,
    catalogue: own.catalogue ?? config.catalogue,
    definitions: { ...config.definitions, ...own.definitions },
    segments: { ...config.segments, ...own.segments },
    lifecycle: own.lifecycle ?? config.lifecycle,
    playbooks: { ...config.playbooks, ...own.playbooks },
    default_definition: own.default_definition ?? config.default_definition,
  };
}

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
