import type { Command } from 'commander';
import { Option } from 'commander';
import { clickhouseSchema } from '../../engines/clickhouse/schema.js';
import { ENGINE_KINDS, type EngineKind, openEngine } from '../../engines/open-engine.js';
import { DEFAULT_DB, localDataPath, printJson } from '../context.js';

interface MigrateFlags {
  db: string;
  engine: EngineKind;
  clickhouseUrl?: string;
  clickhouseUser?: string;
  clickhouseDatabase: string;
  clickhouseCaCert?: string;
  clickhouseCert?: string;
  clickhouseKey?: string;
  cluster?: string;
  print?: boolean;
  json?: boolean;
}

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description(
      'create or upgrade the schema: a DuckDB file, a chDB directory, or a ClickHouse server or cluster',
    )
    .option('--db <path>', 'DuckDB file or chDB data directory', DEFAULT_DB)
    .addOption(
      new Option('--engine <engine>', 'the analytical engine')
        .choices([...ENGINE_KINDS])
        .default('duckdb'),
    )
    .option('--clickhouse-url <url>', 'ClickHouse HTTP(S) URL (--engine clickhouse)')
    .option('--clickhouse-user <user>', 'ClickHouse user (password from CLICKHOUSE_PASSWORD)')
    .option('--clickhouse-database <name>', 'database for the tables', 'powerlens')
    .option(
      '--clickhouse-ca-cert <file>',
      'TLS: the CA certificate the ClickHouse server is signed by',
    )
    .option('--clickhouse-cert <file>', 'TLS: client certificate (with --clickhouse-key)')
    .option('--clickhouse-key <file>', 'TLS: client key (with --clickhouse-cert)')
    .option(
      '--cluster <name>',
      'ClickHouse cluster: ON CLUSTER DDL, replicated and Distributed tables',
    )
    .option('--print', 'print the ClickHouse DDL instead of running it (for review)')
    .option('--json', 'print the outcome as JSON')
    .action(async (opts: MigrateFlags) => {
      if (opts.print) {
        const ddl = clickhouseSchema({ database: opts.clickhouseDatabase, cluster: opts.cluster });
        if (opts.json) printJson({ statements: ddl });
        else process.stdout.write(`${ddl.join(';\n\n')};\n`);
        return;
      }
      const engine = await openEngine({
        engine: opts.engine,
        db: localDataPath(opts),
        clickhouseUrl: opts.clickhouseUrl,
        clickhouseUser: opts.clickhouseUser,
        clickhousePassword: process.env.CLICKHOUSE_PASSWORD,
        clickhouseDatabase: opts.clickhouseDatabase,
        clickhouseCaCert: opts.clickhouseCaCert,
        clickhouseCert: opts.clickhouseCert,
        clickhouseKey: opts.clickhouseKey,
        cluster: opts.cluster,
      });
      try {
        const report = await engine.migrate();
        if (opts.json) printJson({ engine: opts.engine, ...report });
        else if (report.applied.length === 0)
          console.log(`schema up to date (version ${report.to})`);
        else
          console.log(
            `schema version ${report.from} -> ${report.to}: ${report.applied.join(', ')}`,
          );
      } finally {
        await engine.close();
      }
    });
}
