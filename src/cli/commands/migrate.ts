import type { Command } from 'commander';
import { clickhouseSchema } from '../../engines/clickhouse/schema.js';
import { type EngineKind, openEngine } from '../../engines/open-engine.js';
import {
  type ClickHouseFlags,
  clickhouseChoice,
  DEFAULT_DB,
  localDataPath,
  printJson,
  withEngineOptions,
} from '../context.js';

interface MigrateFlags extends ClickHouseFlags {
  db: string;
  engine: EngineKind;
  clickhouseDatabase: string;
  cluster?: string;
  print?: boolean;
  json?: boolean;
}

export function registerMigrate(program: Command): void {
  withEngineOptions(
    program
      .command('migrate')
      .description(
        'create or upgrade the schema: a DuckDB file, a chDB directory, or a ClickHouse server or cluster',
      )
      .option('--db <path>', 'DuckDB file or chDB data directory', DEFAULT_DB),
  )
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
        ...clickhouseChoice(opts),
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
