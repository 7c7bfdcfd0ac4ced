import { Document, isNode, type LineCounter } from 'yaml';
import type { z } from 'zod';
import { suggestName } from './suggest.js';

type Path = readonly PropertyKey[];

/** The deepest node of the document on `path` that exists, for a line number. */
function lineOf(doc: Document, lineCounter: LineCounter, path: Path): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
}

/** The keys an object schema accepts at `path`, to suggest one for an unknown key. */
function knownKeys(schema: z.ZodType | undefined, path: Path): string[] {
  let s = schema;
  let i = 0;
  while (s) {
    const def = (s as unknown as { _zod: { def: SchemaDef } })._zod.def;
    if (['optional', 'default', 'nullable', 'prefault', 'readonly'].includes(def.type)) {
      s = def.innerType;
    } else if (def.type === 'pipe') s = def.in;
    else if (i === path.length) return def.type === 'object' ? Object.keys(def.shape ?? {}) : [];
    else if (def.type === 'object') s = def.shape?.[String(path[i++])];
    else if (def.type === 'array') {
      s = def.element;
      i++;
    } else if (def.type === 'record') {
      s = def.valueType;
      i++;
    } else return [];
  }
  return [];
}

/** Plain-words endings for zod's own messages: what was given, and the near miss. */
function hint(
  issue: z.core.$ZodIssue,
  doc: Document | undefined,
  schema: z.ZodType | undefined,
): string {
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(schema, issue.path);
    if (known.length === 0) return '';
    return `; ${issue.keys.map((k) => `"${k}": ${suggestName(k, known)}`).join('; ')}`;
  }
  const given = doc?.getIn(issue.path as unknown[]);
  if (issue.code === 'invalid_type' && given !== undefined) {
    return ` (got ${JSON.stringify(given)})`;
  }
  if (issue.code === 'invalid_union' && typeof given === 'string') {
    // A discriminated union (a playbook's trigger.on) names its options only in the message.
    const options = [...issue.message.matchAll(/'([^']+)'/g)].map((m) => m[1] as string);
    const s = options.length > 0 ? suggestName(given, options) : '';
    return s.startsWith('did you mean') ? ` ("${given}": ${s})` : '';
  }
  if (issue.code !== 'invalid_value') return '';
  const options = issue.values.filter((v): v is string => typeof v === 'string');
  if (typeof given !== 'string' || options.length === 0) return '';
  const s = suggestName(given, options);
  return s.startsWith('did you mean') ? ` ("${given}": ${s})` : '';
}

const samePath = (a: Path, b: Path) => a.length === b.length && a.every((p, i) => p === b[i]);

/**
 * One line per problem: where (file, line, key path), what is wrong, and a hint. zod reports a
 * failed refinement on the object that holds it, so the path is that of the nearest key. A
 * misspelt key also trips the checks on its object (a criterion then "lacks" its threshold):
 * only the unknown key is reported there, as it is the cause.
 */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  file: string,
  doc?: Document,
  lineCounter?: LineCounter,
  schema?: z.ZodType,
): string {
  const unknownAt = issues.filter((i) => i.code === 'unrecognized_keys').map((i) => i.path);
  return issues
    .filter((i) => i.code !== 'custom' || !unknownAt.some((p) => samePath(p, i.path)))
    .map((i) => {
      const path = i.path.map(String).join('.') || '(top level)';
      const line = doc && lineCounter ? lineOf(doc, lineCounter, i.path) : undefined;
      return `  ${file}${line ? `:${line}` : ''}: ${path}: ${i.message}${hint(i, doc, schema)}`;
    })
    .join('\n');
}

/**
 * The problems of a value that did not parse (a JSON body, not a file), each with its key path
 * and its message with the same hints as the config's (what was given, the near miss).
 */
export function issueList(
  issues: readonly z.core.$ZodIssue[],
  value: unknown,
  schema: z.ZodType,
): { path: string; message: string }[] {
  const doc = new Document(value);
  const unknownAt = issues.filter((i) => i.code === 'unrecognized_keys').map((i) => i.path);
  return issues
    .filter((i) => i.code !== 'custom' || !unknownAt.some((p) => samePath(p, i.path)))
    .map((i) => ({
      path: i.path.map(String).join('.'),
      message: `${i.message}${hint(i, doc, schema)}`,
    }));
}
