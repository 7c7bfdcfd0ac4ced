import type { Document, LineCounter } from 'yaml';
import { isNode } from 'yaml';
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

/** For a value outside a fixed list, the near miss: "did you mean advanced?". */
function hint(issue: z.core.$ZodIssue, doc: Document | undefined): string {
  if (issue.code !== 'invalid_value' || !doc) return '';
  const given = doc.getIn(issue.path as unknown[]);
  const options = issue.values.filter((v): v is string => typeof v === 'string');
  if (typeof given !== 'string' || options.length === 0) return '';
  const s = suggestName(given, options);
  return s.startsWith('did you mean') ? ` ("${given}": ${s})` : '';
}

/**
 * One line per problem: where (file, line, key path), what is wrong. zod reports a failed union
 * or refinement on the object that holds it, so the path is that of the nearest key.
 */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  file: string,
  doc?: Document,
  lineCounter?: LineCounter,
): string {
  return issues
    .map((i) => {
      const path = i.path.map(String).join('.') || '(top level)';
      const line = doc && lineCounter ? lineOf(doc, lineCounter, i.path) : undefined;
      return `  ${file}${line ? `:${line}` : ''}: ${path}: ${i.message}${hint(i, doc)}`;
    })
    .join('\n');
}
