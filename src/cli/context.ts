import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { DuckDbEngine } from '../engines/duckdb/duckdb-engine.js';
import type { Engine } from '../engines/engine.js';
import { type Config, loadConfig } from '../model/config.js';
import { type RollupReport, runRollup } from '../rollup/run-rollup.js';

export const DEFAULT_DB = './powerlens.duckdb';

export interface GlobalOptions {
  db: string;
  config?: string;
  project?: string;
  memoryLimit?: string;
  json?: boolean;
}

export interface Context {
  engine: Engine;
  config: Config;
  projectId: string;
}

/** Adds the options every data command takes. */
export function withDataOptions(cmd: Command, defaultDb = DEFAULT_DB): Command {
  return cmd
    .option('--db <path>', 'DuckDB database file', defaultDb)
    .option('--config <path>', 'configuration file (default: ./powerlens.yaml when present)')
    .option('--project <id>', 'project id (default: from the config, else "default")')
    .option('--memory-limit <size>', 'DuckDB memory limit, e.g. 4GB');
}

export interface OpenMode {
  /** Reading commands never create a database or a project: a typo must not look like no data. */
  readOnly?: boolean;
}

/** Opens the database, applies pending migrations and makes sure the project exists. */
export async function openContext(opts: GlobalOptions, mode: OpenMode = {}): Promise<Context> {
  const config = loadConfig(opts.config);
  if (mode.readOnly && opts.db !== ':memory:' && !existsSync(opts.db)) {
    throw new Error(
      `no database at ${opts.db}: import events first (powerlens import FILE --db ${opts.db}), or pass the right --db.`,
    );
  }
  const engine = await DuckDbEngine.open({
    path: opts.db,
    memoryLimit: opts.memoryLimit ?? config.memoryLimit,
  });
  await engine.migrate();
  const projectId = opts.project ?? config.project;
  if (mode.readOnly) {
    const known = await engine.query<{ project_id: string }>(
      'SELECT project_id FROM projects ORDER BY project_id',
    );
    if (!known.some((k) => k.project_id === projectId)) {
      await engine.close();
      throw new Error(
        `no project "${projectId}" in ${opts.db}; projects there: ${known.map((k) => k.project_id).join(', ')}.`,
      );
    }
    return { engine, config, projectId };
  }
  await engine.run(
    `INSERT INTO projects (project_id, name, time_zone) VALUES ($id, $id, $tz)
     ON CONFLICT (project_id) DO UPDATE SET time_zone = excluded.time_zone`,
    { id: projectId, tz: config.timeZone },
  );
  return { engine, config, projectId };
}

/** Runs a command body with an open context and always closes the database. */
export async function withContext<T>(
  opts: GlobalOptions,
  body: (ctx: Context) => Promise<T>,
  mode: OpenMode = {},
): Promise<T> {
  const ctx = await openContext(opts, mode);
  try {
    return await body(ctx);
  } finally {
    await ctx.engine.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Refreshes the rollups with the project's settings and feature catalogue (incremental unless
 * `full`; a change of the catalogue's property features rebuilds user_day_feature).
 */
export function refreshRollups(ctx: Context, full = false): Promise<RollupReport> {
  return runRollup(ctx.engine, {
    projectId: ctx.projectId,
    timeZone: ctx.config.timeZone,
    sessionGapMinutes: ctx.config.sessionGapMinutes,
    catalogue: ctx.config.catalogue,
    full,
  });
}
