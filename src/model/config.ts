import { existsSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';

function isTimeZone(tz: string): boolean {
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
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

/** Loads powerlens.yaml (or the given file); with no file, every setting takes its default. */
export function loadConfig(path: string | undefined): Config {
  const file = path ?? 'powerlens.yaml';
  if (!existsSync(file)) {
    if (path) throw new ConfigError(`config file ${path} does not exist.`);
    return ConfigSchema.parse({});
  }
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new ConfigError(`${file}: ${e?.message ?? 'invalid YAML'}`);
  }
  const parsed = ConfigSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `  ${file}: ${i.path.join('.') || '(top level)'}: ${i.message}`,
    );
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
