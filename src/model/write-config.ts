import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Document, parseDocument } from 'yaml';
import { type Config, parseConfigText } from './config.js';

/**
 * Sets one key of the YAML config file (e.g. ['definitions', 'default']), keeping every other key
 * and comment as written. The new text is read back with the full schema first, so the file is
 * never left in a state the next command cannot read; returns the config it now holds.
 */
export function setConfigKey(file: string, path: readonly string[], value: unknown): Config {
  const text0 = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const doc = text0.trim() ? parseDocument(text0) : new Document({});
  if (doc.errors.length > 0) throw new Error(`${file} is not valid YAML; fix it first.`);
  doc.setIn(path, value);
  const text = doc.toString();
  const config = parseConfigText(text, file);
  writeFileSync(file, text);
  return config;
}

/**
 * Removes one key of the YAML config file, keeping every other key and comment as written; the
 * new text is read back with the full schema first. Returns the config it now holds.
 */
export function deleteConfigKey(file: string, path: readonly string[]): Config {
  const text0 = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const doc = text0.trim() ? parseDocument(text0) : new Document({});
  if (doc.errors.length > 0) throw new Error(`${file} is not valid YAML; fix it first.`);
  doc.deleteIn(path);
  const text = doc.toString();
  const config = parseConfigText(text, file);
  writeFileSync(file, text);
  return config;
}
