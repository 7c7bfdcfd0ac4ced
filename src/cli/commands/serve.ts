import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { resolveAsOf } from '../../analysis/resolve-as-of.js';
import type { Engine } from '../../engines/engine.js';
import { ENGINE_KINDS } from '../../engines/open-engine.js';
import { Collector } from '../../ingest/collector/collector.js';
import { collectorLimits } from '../../model/collector-config.js';
import { configForProject, DEFAULT_CONFIG_FILE } from '../../model/config.js';
import { playbooksAfterRefresh } from '../../playbooks/run-playbooks.js';
import { listProjects } from '../../projects/run-projects.js';
import { Sessions } from '../../server/api/sessions.js';
import { createServer } from '../../server/create-server.js';
import { type GlobalOptions, localDataPath, openContext, withDataOptions } from '../context.js';
import { newAdminToken, reachable, removeServeFile, writeServeFile } from '../serve-file.js';
import { parsePositiveInt } from './parse-options.js';

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError(`--port ${v}: use a whole number from 0 to 65535.`);
  }
  return n;
}

interface ServeFlags extends GlobalOptions {
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  host: string;
  port: number;
  logDir?: string;
  rollupEvery?: number;
}

/**
 * The projects to print a dashboard link for: the one --project names, else every project with a
 * key (made by projects create), else the config's project.
 */
async function dashboardProjects(
  engine: Engine,
  flag: string | undefined,
  fallback: string,
): Promise<string[]> {
  if (flag) return [flag];
  const withKeys = (await listProjects(engine))
    .filter((p) => p.keys.some((k) => !k.revoked))
    .map((p) => p.project_id);
  return withKeys.length > 0 ? withKeys : [fallback];
}

export function registerServe(program: Command): void {
  withDataOptions(
    program
      .command('serve')
      .description(
        'the collector: Segment-compatible HTTP ingestion (durable before the 2xx), rollups refreshed while serving',
      ),
  )
    .option('--host <host>', 'address to bind (127.0.0.1: this machine only)', '127.0.0.1')
    .option('--port <port>', 'port (0: any free port, printed at start)', parsePort, 8080)
    .addOption(
      new Option('--log-level <level>', 'server log: debug adds one line per request')
        .choices(['debug', 'info', 'warn', 'error'])
        .default('info'),
    )
    .option('--log-dir <dir>', 'durable event log (default: <db>.log beside the database)')
    .option(
      '--rollup-every <seconds>',
      'refresh the rollups this often (default: collector.rollup_every_seconds, 60)',
      (v) => parsePositiveInt('--rollup-every', v),
    )
    .action(async (opts: ServeFlags) => {
      // serve holds the database itself: refused while another process does.
      const ctx = await openContext(opts, { engines: ENGINE_KINDS, exclusive: true });
      const dbFile =
        opts.engine === 'duckdb' || opts.engine === undefined ? localDataPath(opts) : null;
      const local = dbFile !== null && dbFile !== ':memory:';
      // The log lives beside the local database; a ClickHouse server's has a name of its own.
      const beside =
        opts.engine === 'clickhouse'
          ? resolve(`powerlens-${opts.clickhouseDatabase ?? 'powerlens'}-collector.log`)
          : `${resolve(localDataPath(opts))}.log`;
      const logDir = opts.logDir ?? beside;
      const limits = collectorLimits(ctx.config.collector);
      if (opts.rollupEvery !== undefined) limits.rollupIntervalMs = opts.rollupEvery * 1000;
      let config = ctx.fileConfig;
      // The dashboard's address for the links playbooks send: set once listening.
      let baseUrl: string | null = process.env.POWERLENS_BASE_URL ?? null;
      const playbooksHere = ctx.engine.dialect.capabilities.transactions;
      let firstRefresh = true;
      if (!playbooksHere && Object.keys(ctx.config.playbooks).length > 0) {
        process.stderr.write(
          `playbooks are not run by serve on ${opts.engine}: they need DuckDB's transactions for now (docs/playbooks.md).\n`,
        );
      }
      const collector = await Collector.start(ctx.engine, {
        logDir,
        rollupIntervalMs: limits.rollupIntervalMs,
        maxUnloadedBytes: limits.maxUnloadedBytes,
        dedupeDays: limits.dedupeDays,
        sessionGapMinutes: ctx.config.sessionGapMinutes,
        catalogueOf: (projectId) => configForProject(config, projectId).catalogue,
        databaseFile: local ? resolve(dbFile) : undefined,
        log: (m) => process.stderr.write(`${new Date().toISOString()} ${m}\n`),
        // The serve's project: its playbooks after each refresh (powerlens playbooks run does the same).
        afterRefresh: playbooksHere
          ? async (refreshed) => {
              // The first refresh evaluates the triggers whatever changed: what fired while
              // serve was down is sent now (recorded occurrences are never sent twice).
              const evaluate = firstRefresh ? [...refreshed, ctx.projectId] : refreshed;
              firstRefresh = false;
              const ran = await playbooksAfterRefresh(ctx.engine, {
                projectId: ctx.projectId,
                config: configForProject(config, ctx.projectId),
                refreshed: evaluate,
                asOf: () => resolveAsOf(ctx.engine, ctx.projectId, undefined, true),
                now: new Date(),
                env: process.env,
                random: Math.random,
                baseUrl,
                // Its batches' records queue behind API requests, each up to this long.
                turnWaitMs: config.api.request_timeout_seconds * 1000,
              });
              const line = playbooksLogLine(ran);
              if (line) process.stderr.write(`${new Date().toISOString()} ${line}\n`);
            }
          : undefined,
      });
      const adminToken = newAdminToken();
      const sessions = new Sessions();
      const app = createServer({
        collector,
        logger: opts.logLevel,
        limits,
        ...(local ? { admin: { token: adminToken } } : {}),
        api: {
          engine: ctx.engine,
          config: () => config,
          configFile: opts.config ?? DEFAULT_CONFIG_FILE,
          onConfigChange: (next) => {
            config = next;
          },
          sessions,
          baseUrl: () => baseUrl,
        },
      });
      // Handlers first: a stop asked for while starting still loads the log and lets go.
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(
          `${signal}: finishing requests, loading the log, refreshing rollups\n`,
        );
        await app.close();
        await collector.close();
        await ctx.engine.close();
        if (local) removeServeFile(dbFile, adminToken);
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
      const linked = await dashboardProjects(ctx.engine, opts.project, ctx.projectId);
      const address = await app.listen({ host: opts.host, port: opts.port });
      baseUrl ??= reachable(address);
      process.stderr.write(`powerlens collector on ${address} (log ${logDir})\n`);
      process.stderr.write(`REST API on ${address}/api/v1 (docs: ${address}/api/v1/docs)\n`);
      if (local) {
        writeServeFile(dbFile, {
          url: reachable(address),
          pid: process.pid,
          token: adminToken,
          started_at: new Date().toISOString(),
        });
        process.stderr.write(
          `Other powerlens commands on ${dbFile} run through this server while it runs.\n`,
        );
      }
      // The code is in the fragment, which the browser never sends: it stays out of server logs.
      for (const projectId of linked) {
        process.stderr.write(
          `Dashboard for project ${projectId}: ${address}/#login=${sessions.issueCode(projectId)} (one-time link, 15 minutes)\n`,
        );
      }
    });
}

/** One server log line for a playbooks run after a refresh, or none when nothing happened. */
function playbooksLogLine(ran: Awaited<ReturnType<typeof playbooksAfterRefresh>>): string | null {
  if (ran === null) return null;
  const d = ran.kind === 'run' ? ran.result.dispatched : ran.result;
  const sent = d ? `sent ${d.sent} of ${d.due} due, ${d.retried} to retry, ${d.dead} dead` : '';
  if (ran.kind === 'dispatch') return d && d.due > 0 ? `playbooks: ${sent}` : null;
  const r = ran.result.recorded;
  return `playbooks: ${r.recorded} new occurrences (${r.queued} deliveries queued, ${r.already} recorded before); ${sent}`;
}
