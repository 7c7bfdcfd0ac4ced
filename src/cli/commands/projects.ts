import type { Command } from 'commander';
import pc from 'picocolors';
import { ENGINE_KINDS } from '../../engines/open-engine.js';
import { isTimeZone } from '../../model/config.js';
import { createProject, listProjects } from '../../projects/run-projects.js';
import { type GlobalOptions, printJson, withContext, withDataOptions } from '../context.js';
import { dimHeader, renderTable } from '../render/table.js';

interface CreateFlags extends GlobalOptions {
  timeZone?: string;
}

export function registerProjects(program: Command): void {
  const projects = program
    .command('projects')
    .description('projects and their API keys (one database holds many projects)');

  withDataOptions(
    projects
      .command('create')
      .argument('<name>', 'the project name, e.g. "Acme App"; its id is made from it (acme-app)')
      .description('create a project and print its write key (ingest) and read key (reports)'),
  )
    .option('--time-zone <tz>', 'the project time zone (default: timeZone from the config)')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: CreateFlags) => {
      await withContext(
        opts,
        async (ctx) => {
          const timeZone = opts.timeZone ?? ctx.config.timeZone;
          if (!isTimeZone(timeZone)) {
            throw new Error(
              `--time-zone ${timeZone}: not an IANA time zone (e.g. UTC, Europe/Berlin).`,
            );
          }
          const p = await createProject(ctx.engine, { name, timeZone });
          if (opts.json) {
            printJson(p);
            return;
          }
          console.log(`${pc.bold(`project ${p.project_id}`)} ("${p.name}", ${p.time_zone})`);
          console.log(`  write key (ingest only): ${p.write_key}`);
          console.log(`  read key (reports, API): ${p.read_key}`);
          console.log(
            pc.yellow(
              '  Save both now: only their digests are stored, they cannot be shown again.',
            ),
          );
        },
        { engines: ENGINE_KINDS },
      );
    });

  withDataOptions(projects.command('list').description('every project with its keys (ids only)'))
    .option('--json', 'print JSON')
    .action(async (opts: GlobalOptions) => {
      await withContext(
        opts,
        async (ctx) => {
          const all = await listProjects(ctx.engine);
          if (opts.json) {
            printJson(all);
            return;
          }
          const table = renderTable(
            ['project', 'name', 'time zone', 'keys'],
            all.map((p) => [
              p.project_id,
              p.name,
              p.time_zone,
              p.keys
                .map((k) => `${k.key_id}… ${k.scope}${k.revoked ? ' (revoked)' : ''}`)
                .join(', ') || '-',
            ]),
          );
          for (const line of dimHeader(table)) console.log(line);
        },
        { readOnly: true, engines: ENGINE_KINDS },
      );
    });
}
