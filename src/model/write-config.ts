import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Document, parseDocument } from 'yaml';
import { type Config, parseConfigText } from './config.js';

/**
 * Applies one edit to the YAML config file, keeping every other key and comment as written. The
 * new text is read back with the full schema first, so the file is never left in a state the
 * next command cannot read; returns the config it now holds.
 */
function editConfigFile(file: string, edit: (doc: Document) => void): Config {
  const text0 = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const doc = text0.trim() ? parseDocument(text0) : new Document({});
  if (doc.errors.length > 0) throw new Error(`${file} is not valid YAML; fix it first.`);
  edit(doc);
  const text = doc.toString();
  const config = parseConfigText(text, file);
  writeFileSync(file, text);
  return config;
}

/** Sets one key of the YAML config file (e.g. ['definitions', 'default']). */
export function setConfigKey(file: string, path: readonly string[], value: unknown): Config {
  return editConfigFile(file, (doc) => doc.setIn(path, value));
}

/** Removes one key of the YAML config file. */
export function deleteConfigKey(file: string, path: readonly string[]): Config {
  return editConfigFile(file, (doc) => doc.deleteIn(path));
}
