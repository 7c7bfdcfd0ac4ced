import type { Catalogue } from '../model/catalogue.js';
import type { Config } from '../model/config.js';
import type { Definition } from '../model/definition.js';
import { resolveDefinition } from '../model/resolve-definition.js';
import { resolveSegments, type Segment } from '../model/segments.js';
import type { PeriodKind } from '../time/periods.js';

/** The snapshots a request asks for: a definition and a period kind, each defaulted if not. */
export interface SnapshotsAsked {
  definition?: string | undefined;
  /** The definition's window replaced (the accounts API's `window`). */
  windowDays?: number | undefined;
  period?: PeriodKind | undefined;
}

/** Which snapshots, and what they are scored with, as runSnapshots takes them. */
export interface SnapshotInput {
  projectId: string;
  definition: Definition;
  catalogue: Catalogue;
  segments: Segment[];
  period: PeriodKind;
}

/**
 * The snapshots of a project that the CLI and the API alike store and read (snapshot, backfill,
 * the account report): the definition asked for, resolved (an unknown one is a DefinitionError
 * before any work), else the config's default; the period asked for, else the config's
 * lifecycle.period; the config's catalogue and segments.
 */
export function snapshotInput(
  config: Config,
  projectId: string,
  asked: SnapshotsAsked,
): SnapshotInput {
  return {
    projectId,
    definition: resolveDefinition(config, { name: asked.definition, windowDays: asked.windowDays }),
    catalogue: config.catalogue,
    segments: resolveSegments(config.segments),
    period: asked.period ?? config.lifecycle.period,
  };
}
