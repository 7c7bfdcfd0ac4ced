import { existsSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { NoDataError } from '../analysis/resolve-as-of.js';
import { DuckDbEngine } from '../engines/duckdb/duckdb-engine.js';
import type { Engine } from '../engines/engine.js';
import { ENGINE_KINDS, type EngineKind, openEngine } from '../engines/open-engine.js';
import { RemoteEngine } from '../engines/remote/remote-engine.js';
import { type Config, configForProject, loadConfig } from '../model/config.js';
import { ensureProject } from '../projects/ensure-project.js';
import { otherProjectsWithEvents, projectIds } from '../projects/known-projects.js';
import { type RollupReport, runRollup } from '../rollup/run-rollup.js';
import { liveServer, type ServeFile } from './serve-file.js';

export const DEFAULT_DB = './powerlens.duckdb';
const DEFAULT_CHDB = './powerlens.chdb';

/** The flags withEngineOptions adds. */
export interface ClickHouseFlags {
  engine?: EngineKind;
  clickhouseUrl?: string;
  clickhouseUser?: string;
  clickhouseDatabase?: string;
  clickhouseCaCert?: string;
  clickhouseCert?: string;
  clickhouseKey?: string;
}

export interface GlobalOptions extends ClickHouseFlags {
  db: string;
  config?: string;
  project?: string;
  memoryLimit?: string;
  json?: boolean;
}

export interface Context {
  engine: Engine;
  /** The config as the project sees it (configForProject). */
  config: Config;
  /** The config as written, with every project's own settings (what a server serves from). */
  fileConfig: Config;
  projectId: string;
}

/** Adds the options every data command takes. */
export function withDataOptions(cmd: Command, defaultDb = DEFAULT_DB): Command {
  return withEngineOptions(
    cmd
      .option('--db <path>', 'DuckDB database file', defaultDb)
      .option('--config <path>', 'configuration file (default: ./powerlens.yaml when present)')
      .option('--project <id>', 'project id (default: from the config, else "default")')
      .option('--memory-limit <size>', 'DuckDB memory limit, e.g. 4GB'),
  );
}

/** Which engine, and how to reach and sign in to ClickHouse (data commands and migrate). */
export function withEngineOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--engine <engine>', 'analytical engine (docs/scale-out.md)')
        .choices([...ENGINE_KINDS])
        .default('duckdb'),
    )
    .option('--clickhouse-url <url>', 'ClickHouse HTTP(S) URL (--engine clickhouse)')
    .option('--clickhouse-user <user>', 'ClickHouse user (password from CLICKHOUSE_PASSWORD)')
    .option('--clickhouse-database <name>', 'ClickHouse database', 'powerlens')
    .option(
      '--clickhouse-ca-cert <file>',
      'TLS: the CA certificate the ClickHouse server is signed by',
    )
    .option('--clickhouse-cert <file>', 'TLS: client certificate (with --clickhouse-key)')
    .option('--clickhouse-key <file>', 'TLS: client key (with --clickhouse-cert)');
}

/**
 * Where the local engine keeps its data: --db, except that chDB (a directory, not a DuckDB file)
 * left at the DuckDB default gets a name of its own.
 */
export function localDataPath(opts: Pick<GlobalOptions, 'db' | 'engine'>): string {
  return opts.engine === 'chdb' && opts.db === DEFAULT_DB ? DEFAULT_CHDB : opts.db;
}

/** The ClickHouse connection the flags name; the password comes from CLICKHOUSE_PASSWORD. */
export function clickhouseChoice(opts: ClickHouseFlags) {
  return {
    clickhouseUrl: opts.clickhouseUrl,
    clickhouseUser: opts.clickhouseUser,
    clickhousePassword: process.env.CLICKHOUSE_PASSWORD,
    clickhouseDatabase: opts.clickhouseDatabase,
    clickhouseCaCert: opts.clickhouseCaCert,
    clickhouseCert: opts.clickhouseCert,
    clickhouseKey: opts.clickhouseKey,
  };
}

export interface OpenMode {
  /**
   * The command must hold the database itself (serve, and whatever deletes or replaces it): it is
   * refused while another process holds it. Other commands reach a running serve instead.
   */
  exclusive?: boolean;
  /** Reading commands never create a database or a project: a typo must not look like no data. */
  readOnly?: boolean;
  /** The engines the command runs on (default DuckDB only; docs/scale-out.md says what is next). */
  engines?: readonly EngineKind[];
}

/** Opens the database, applies pending migrations and makes sure the project exists. */
export async function openContext(opts: GlobalOptions, mode: OpenMode = {}): Promise<Context> {
  const file = loadConfig(opts.config);
  const config = configForProject(file, opts.project ?? file.project);
  const kind = opts.engine ?? 'duckdb';
  const allowed = mode.engines ?? ['duckdb'];
  if (!allowed.includes(kind)) {
    throw new Error(
      `this command runs on ${allowed.join(', ')} for now, not --engine ${kind} (docs/scale-out.md).`,
    );
  }
  const local = kind !== 'clickhouse';
  const db = localDataPath(opts);
  if (local && mode.readOnly && db !== ':memory:' && !existsSync(db)) {
    throw new Error(
      `no database at ${db}: import events first (powerlens import FILE --db ${db}), or pass the right --db.`,
    );
  }
  const served = kind === 'duckdb' && db !== ':memory:' ? liveServer(db) : null;
  if (served && mode.exclusive) throw heldBy(db, served);
  const engine = served
    ? await RemoteEngine.open(served.url, served.token).catch((err: unknown) => {
        throw new Error(
          `${db} is held by powerlens serve (pid ${served.pid}), which does not answer at ${served.url} (${String(err)}): wait for it, or stop it.`,
        );
      })
    : await openEngine({
        engine: kind,
        db,
        memoryLimit: opts.memoryLimit ?? config.memoryLimit,
        ...clickhouseChoice(opts),
      });
  await engine.migrate();
  const projectId = opts.project ?? config.project;
  if (mode.readOnly) {
    const known = await projectIds(engine);
    if (!known.includes(projectId)) {
      await engine.close();
      throw new Error(
        `no project "${projectId}" in ${local ? db : opts.clickhouseUrl}; projects there: ${known.join(', ')}.`,
      );
    }
    return { engine, config, fileConfig: file, projectId };
  }
  await ensureProject(engine, { projectId, timeZone: config.timeZone });
  return { engine, config, fileConfig: file, projectId };
}

function heldBy(db: string, served: ServeFile): Error {
  return new Error(
    `${db} is held by powerlens serve (pid ${served.pid}, ${served.url}): stop it first (Ctrl-C in its terminal, or kill ${served.pid}), or pass another --db.`,
  );
}

/**
 * Refuses when another process holds the database: a running serve, or any process with the file
 * open (DuckDB lets one process write it). For commands that delete or replace it.
 */
export async function assertNotHeld(db: string): Promise<void> {
  if (db === ':memory:' || !existsSync(db)) return;
  const served = liveServer(db);
  if (served) throw heldBy(db, served);
  const probe = await DuckDbEngine.open({ path: db });
  await probe.close();
}

/** An empty project's error, naming the projects that do hold events and the flag to pick one. */
async function withOtherProjects(ctx: Context, err: NoDataError): Promise<Error> {
  const others = await otherProjectsWithEvents(ctx.engine, ctx.projectId).catch(() => []);
  if (others.length === 0) return err;
  return new Error(
    `project ${ctx.projectId} has no events yet, but ${others.join(', ')} ${others.length > 1 ? 'have' : 'has'}: pass --project ${others[0]} (or set project: in powerlens.yaml).`,
  );
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
  } catch (err) {
    throw err instanceof NoDataError ? await withOtherProjects(ctx, err) : err;
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
