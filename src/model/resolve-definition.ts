import { windowDaysProblem } from '../time/days.js';
import type { Config } from './config.js';
import { DEFAULT_DEFINITION } from './default-definition.js';
import {
  type Definition,
  type DefinitionInput,
  DefinitionSchema,
  normalizeDefinition,
} from './definition.js';
import { definitionProblems } from './definition-problems.js';
import { formatIssues } from './format-issues.js';
import { type RuleInput, THRESHOLD_KEYS, type ThresholdKey } from './rule-input.js';
import { SIGNAL_NAMES } from './signals.js';
import { suggestName } from './suggest.js';

export class DefinitionError extends Error {}

export interface ResolveOptions {
  name?: string | undefined;
  /** Replaces the definition's own window (`--window`). */
  windowDays?: number | undefined;
  /** What-if changes, `KEY=VALUE` (`--set days_active.min=15`). */
  set?: readonly string[] | undefined;
}

/**
 * Every definition a config offers: the built-in default plus its own (which may replace it).
 * Names come from requests (`/definitions/constructor`, `?definition=toString`), so the record
 * has no prototype: indexing it with a name inherited from Object.prototype finds nothing.
 */
export function definitionInputs(config: Config): Record<string, DefinitionInput> {
  return Object.assign(
    Object.create(null) as Record<string, DefinitionInput>,
    { default: DEFAULT_DEFINITION },
    config.definitions,
  );
}

export function definitionName(config: Config, name?: string): string {
  return name ?? config.default_definition ?? 'default';
}

export function lookupDefinition(config: Config, name?: string): [string, DefinitionInput] {
  const all = definitionInputs(config);
  const wanted = definitionName(config, name);
  const found = Object.hasOwn(all, wanted) ? all[wanted] : undefined;
  if (!found) {
    throw new DefinitionError(
      `no definition "${wanted}": ${suggestName(wanted, Object.keys(all))} (definitions live under definitions: in the config)`,
    );
  }
  return [wanted, found];
}

function leaves(node: RuleInput): RuleInput[] {
  if (node.signal !== undefined) return [node];
  return [...(node.all ?? []), ...(node.any ?? []), ...(node.of ?? [])].flatMap(leaves);
}

/** Applies one `KEY=VALUE` change to a copy of the definition. */
function applySet(def: DefinitionInput, change: string): DefinitionInput {
  const m = /^([a-z0-9_]+)(?:\.([a-z0-9_]+))?=(.+)$/.exec(change.trim());
  if (!m) {
    throw new DefinitionError(
      `what-if change ${change}: write KEY=VALUE, e.g. days_active.min=15, depth.top_percent=10, window_days=28`,
    );
  }
  const [, head = '', field, raw = ''] = m;
  const value = /^-?(\d+\.?\d*|\.\d+)$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value)) {
    throw new DefinitionError(
      `what-if change ${change}: ${raw} is not a number (write e.g. 15 or 0.5)`,
    );
  }
  const next = structuredClone(def);
  if (head === 'window_days' && field === undefined) {
    next.window_days = value;
    return next;
  }
  if (next.score && (head === 'weights' || head === 'cutoff') && field) {
    if (head === 'weights') next.score.weights[field] = value;
    else next.score.cutoff = { [field]: value };
    return next;
  }
  if (!next.rule || field === undefined || !(THRESHOLD_KEYS as readonly string[]).includes(field)) {
    const fields = next.rule
      ? THRESHOLD_KEYS.join(', ')
      : 'weights.SIGNAL, cutoff.min_score, cutoff.top_percent';
    throw new DefinitionError(`what-if change ${change}: after the name comes one of ${fields}`);
  }
  const all = leaves(next.rule);
  // A criterion id names one criterion; a signal name every criterion on that signal.
  let targets = all.filter((l) => (l.id ?? l.signal) === head);
  if (targets.length === 0) targets = all.filter((l) => l.signal === head);
  if (targets.length === 0) {
    const names = [...new Set(all.flatMap((l) => [l.id ?? l.signal ?? '', l.signal ?? '']))];
    const hint = (SIGNAL_NAMES as readonly string[]).includes(head)
      ? `no criterion uses ${head}; this definition's criteria: ${names.join(', ')}`
      : suggestName(head, names);
    throw new DefinitionError(`what-if change ${change}: no criterion "${head}": ${hint}`);
  }
  for (const t of targets) {
    for (const k of THRESHOLD_KEYS) delete t[k];
    t[field as ThresholdKey] = value;
  }
  return next;
}

/** The definition to score with: looked up by name, what-if changes applied, window set. */
export function resolveDefinition(config: Config, options: ResolveOptions = {}): Definition {
  const [name, input] = lookupDefinition(config, options.name);
  if (options.windowDays !== undefined && options.set?.some((c) => c.startsWith('window_days='))) {
    throw new DefinitionError(
      'a window and the what-if change window_days=... both change the window: use one of them.',
    );
  }
  let def = input;
  for (const change of options.set ?? []) def = applySet(def, change);
  const parsed = DefinitionSchema.safeParse(def);
  const source = options.set?.length
    ? `definition "${name}" with what-if changes`
    : `definition "${name}"`;
  if (!parsed.success) {
    throw new DefinitionError(
      `${source} is not valid:\n${formatIssues(parsed.error.issues, source, undefined, undefined, DefinitionSchema)}`,
    );
  }
  const windowDays = options.windowDays ?? parsed.data.window_days;
  const windowProblem = windowDaysProblem(windowDays);
  if (windowProblem) throw new DefinitionError(windowProblem);
  if (windowDays !== parsed.data.window_days) {
    const problems = definitionProblems(parsed.data, windowDays);
    if (problems.length > 0) {
      const lines = problems.map((p) => `  ${p.path.join('.')}: ${p.message}`).join('\n');
      throw new DefinitionError(`${source} does not fit a window of ${windowDays} days:\n${lines}`);
    }
  }
  return normalizeDefinition(name, { ...parsed.data, window_days: windowDays });
}
