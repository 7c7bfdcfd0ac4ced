import { catchUpSnapshots } from '../accounts/account-history.js';
import type { Engine } from '../engines/engine.js';
import { snapshotInput } from '../lifecycle/snapshot-input.js';
import type { Config } from '../model/config.js';
import { lifecycleRules } from '../model/lifecycle-config.js';
import type { Playbook } from '../model/playbook.js';
import { resolveDefinition } from '../model/resolve-definition.js';
import { resolveSegments } from '../model/segments.js';
import { cursorsAfterRun, readCursors, saveCursors } from './cursors.js';
import { type DispatchResult, dispatchDue } from './dispatcher.js';
import { type Evaluation, evaluatePlaybooks } from './evaluate-playbooks.js';
import type { Occurrence } from './occurrence.js';
import { type RecordResult, recordedOccurrenceIds, recordOccurrences } from './outbox.js';
import { PlaybookError } from './playbook-error.js';

export { PlaybookError };

export interface PlaybookRunOptions {
  projectId: string;
  config: Config;
  /** The last day with data to bring the snapshots to (resolveAsOf at the edge, within data). */
  asOf: string;
  /** When the run starts: what it records is fired then, what is due by then is sent. */
  now: Date;
  /** Only this playbook (a name from the config); default: every enabled one. */
  only?: string | undefined;
  /** The dashboard's address, for each payload's link. */
  baseUrl?: string | null | undefined;
  /** Where the actions' URLs and secrets are read from by name (process.env). */
  env: Readonly<Record<string, string | undefined>>;
  random: () => number;
  /**
   * How long recording a sent batch may wait behind other requests for the database's turn (the
   * lease allows for it): serve's request time limit where requests share the engine (serve,
   * a command reaching a running serve), 0 for a command holding the file alone (the default).
   */
  turnWaitMs?: number | undefined;
  /** Send what is due after recording (default true); false records and queues only. */
  dispatch?: boolean | undefined;
  fetch?: typeof fetch;
}

export interface PlaybookRunResult {
  /** Snapshot periods computed to bring the compared periods up to date. */
  computed_periods: number;
  /** Occurrences the triggers found, per playbook (recorded or not). */
  fired: Record<string, number>;
  recorded: RecordResult;
  dispatched: DispatchResult | null;
}

/** An occurrence as a preview shows it: who would be reached, why, and whether it already was. */
export interface PreviewedOccurrence extends Occurrence {
  already_recorded: boolean;
}

/** The playbooks a run takes: the one named (an unknown name is an error), or every enabled one. */
export function playbooksToRun(config: Config, only: string | undefined): Record<string, Playbook> {
  const all = config.playbooks;
  if (only !== undefined) {
    const one = all[only];
    if (!one) {
      const names = Object.keys(all);
      throw new PlaybookError(
        names.length === 0
          ? `no playbook "${only}": the config has no playbooks (docs/playbooks.md shows one).`
          : `no playbook "${only}": the config has ${names.map((n) => `"${n}"`).join(', ')}.`,
      );
    }
    return { [only]: one };
  }
  return Object.fromEntries(Object.entries(all).filter(([, p]) => p.enabled));
}

/**
 * Brings the snapshots the playbooks compare up to date (the periods before the latest that the
 * lifecycle states need, computed when missing), then evaluates their triggers.
 */
async function occurrencesNow(
  engine: Engine,
  options: Pick<PlaybookRunOptions, 'projectId' | 'config' | 'asOf'>,
  playbooks: Record<string, Playbook>,
): Promise<Evaluation & { computed: number }> {
  const { config, projectId } = options;
  const rules = lifecycleRules(config.lifecycle);
  const defaultName = resolveDefinition(config, {}).name;
  const definitions = new Set(Object.values(playbooks).map((p) => p.definition ?? defaultName));
  let computed = 0;
  for (const definition of definitions) {
    const input = snapshotInput(config, projectId, { definition });
    const run = await catchUpSnapshots(engine, {
      ...input,
      asOf: options.asOf,
      // The latest period, the one before it, and the climb emerging reads.
      lookbackPeriods: rules.emergingPeriods + 1,
    });
    computed += run.computed_periods;
  }
  const evaluation = await evaluatePlaybooks(
    engine,
    {
      projectId,
      config,
      asOf: options.asOf,
      definition: defaultName,
      rules,
      segments: resolveSegments(config.segments),
      cursors: await readCursors(
        engine,
        { projectId, defaultDefinition: defaultName, period: config.lifecycle.period },
        playbooks,
      ),
    },
    playbooks,
  );
  return { ...evaluation, computed };
}

/**
 * One run of the project's playbooks (powerlens playbooks run, and serve after each rollup
 * refresh): the triggers fired since the snapshots compared, each new occurrence recorded with
 * its deliveries queued in one transaction, then what is due sent. Running it again on the same
 * data records and sends nothing new.
 */
export async function runPlaybooks(
  engine: Engine,
  options: PlaybookRunOptions,
): Promise<PlaybookRunResult> {
  const playbooks = playbooksToRun(options.config, options.only);
  const { occurrences, computed, reached } =
    Object.keys(playbooks).length > 0
      ? await occurrencesNow(engine, options, playbooks)
      : { occurrences: [], computed: 0, reached: new Map<string, string>() };
  const fired: Record<string, number> = Object.fromEntries(
    Object.keys(playbooks).map((name) => [name, 0]),
  );
  for (const o of occurrences) fired[o.playbook] = (fired[o.playbook] ?? 0) + 1;
  const leftForLater: Occurrence[] = [];
  const recorded = await recordOccurrences(
    engine,
    options.projectId,
    occurrences,
    playbooks,
    options.now,
    { baseUrl: options.baseUrl, onOverLimit: (o) => leftForLater.push(o) },
  );
  // After the occurrences are recorded: a crash before this evaluates the same periods again,
  // which records nothing twice (the ids are stable).
  await saveCursors(
    engine,
    {
      projectId: options.projectId,
      defaultDefinition: resolveDefinition(options.config, {}).name,
      period: options.config.lifecycle.period,
    },
    cursorsAfterRun(reached, leftForLater),
    options.config.playbooks,
    options.now,
  );
  const dispatched = options.dispatch === false ? null : await sendDue(engine, options);
  return { computed_periods: computed, fired, recorded, dispatched };
}

/** Sends the project's due deliveries, each with its action as the config has it now. */
function sendDue(
  engine: Engine,
  options: Pick<
    PlaybookRunOptions,
    'projectId' | 'config' | 'now' | 'env' | 'random' | 'fetch' | 'turnWaitMs'
  >,
): Promise<DispatchResult> {
  return dispatchDue(engine, {
    projectId: options.projectId,
    playbooks: options.config.playbooks,
    now: options.now,
    env: options.env,
    random: options.random,
    turnWaitMs: options.turnWaitMs ?? 0,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/** Who one playbook would reach now, and why, without recording or sending anything. */
export async function previewPlaybook(
  engine: Engine,
  options: Pick<PlaybookRunOptions, 'projectId' | 'config' | 'asOf'> & { name: string },
): Promise<PreviewedOccurrence[]> {
  // A playbook turned off is previewed as if on: who it would reach once enabled.
  const playbooks = Object.fromEntries(
    Object.entries(playbooksToRun(options.config, options.name)).map(([n, p]) => [
      n,
      { ...p, enabled: true },
    ]),
  );
  const { occurrences } = await occurrencesNow(engine, options, playbooks);
  const known = await recordedOccurrenceIds(
    engine,
    options.projectId,
    occurrences.map((o) => o.occurrence_id),
  );
  return occurrences.map((o) => ({ ...o, already_recorded: known.has(o.occurrence_id) }));
}

/**
 * What serve does after each rollup refresh: where the project's data changed, a whole run
 * (snapshots brought up to date, triggers, outbox, sending); where it did not, only the
 * deliveries that came due (retries). Null when the project has no enabled playbook.
 */
export async function playbooksAfterRefresh(
  engine: Engine,
  options: Omit<PlaybookRunOptions, 'asOf' | 'only' | 'dispatch'> & {
    refreshed: readonly string[];
    /** The last day with data, resolved only when the triggers are evaluated. */
    asOf: () => Promise<string>;
  },
): Promise<
  { kind: 'run'; result: PlaybookRunResult } | { kind: 'dispatch'; result: DispatchResult } | null
> {
  const playbooks = playbooksToRun(options.config, undefined);
  const queuedBefore = Object.keys(options.config.playbooks).length > 0;
  if (Object.keys(playbooks).length === 0 && !queuedBefore) return null;
  if (options.refreshed.includes(options.projectId) && Object.keys(playbooks).length > 0) {
    const result = await runPlaybooks(engine, { ...options, asOf: await options.asOf() });
    return { kind: 'run', result };
  }
  return { kind: 'dispatch', result: await sendDue(engine, options) };
}
