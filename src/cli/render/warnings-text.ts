import pc from 'picocolors';
import type { DefinitionWarning } from '../../model/definition-problems.js';

/** Warnings beside a verdict, one line each ("warning: ..."), indented as the block they lead. */
export function renderWarnings(warnings: readonly DefinitionWarning[], indent = '  '): string[] {
  return warnings.map((w) => pc.yellow(`${indent}warning: ${w.message}`));
}
