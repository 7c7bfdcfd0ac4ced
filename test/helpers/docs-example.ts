import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { type Config, ConfigSchema } from '../../src/model/config.js';

/**
 * The first ```yaml block under a `## heading` of a file in docs/, read by the config schema as
 * powerlens reads powerlens.yaml: a docs example that stops being valid fails its test.
 */
export function docsExampleConfig(file: string, heading: string): Config {
  const text = readFileSync(new URL(`../../docs/${file}`, import.meta.url), 'utf8');
  const section = text.split(`## ${heading}\n`)[1]?.split(/\n## /)[0];
  if (section === undefined) throw new Error(`docs/${file} has no section "## ${heading}"`);
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  if (yaml === undefined) throw new Error(`docs/${file}, "## ${heading}": no yaml example`);
  return ConfigSchema.parse(parseYaml(yaml));
}
