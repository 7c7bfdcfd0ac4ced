import type { Command } from 'commander';
import pc from 'picocolors';
import { type GlobalOptions, printJson, withContext, withDataOptions } from '../context.js';
import { parsePositiveInt } from './parse-options.js';

interface FailedFlags extends GlobalOptions {
  reason?: string;
  source?: string;
  limit: number;
}

interface FailedRow {
  source: string;
  source_line: number | null;
  reason: string;
  raw: string | null;
  failed_at: string;
}

export function registerFailedEvents(program: Command): void {
  withDataOptions(
    program
      .command('failed-events')
      .description('rows that were rejected, with the reason, the line and the raw content'),
  )
    .option('--reason <text>', 'only reasons containing this text')
    .option('--source <text>', 'only sources (file paths) containing this text')
    .option('--limit <n>', 'at most this many rows', (v) => parsePositiveInt('--limit', v), 50)
    .option('--json', 'print the rows as JSON')
    .action(async (opts: FailedFlags) => {
      await withContext(opts, async ({ engine, projectId }) => {
        const params = {
          p: projectId,
          reason: `%${opts.reason ?? ''}%`,
          source: `%${opts.source ?? ''}%`,
          n: opts.limit,
        };
        const where = `project_id = $p AND reason ILIKE $reason AND source ILIKE $source`;
        const rows = await engine.query<FailedRow>(
          `SELECT source, source_line, reason, left(raw, 500) AS raw, failed_at
           FROM failed_events WHERE ${where} ORDER BY source, source_line LIMIT $n`,
          params,
        );
        const [count] = await engine.query<{ n: number }>(
          `SELECT count(*) AS n FROM failed_events WHERE ${where}`,
          params,
        );
        if (opts.json) {
          printJson({ total: count?.n ?? 0, rows });
          return;
        }
        if (rows.length === 0) {
          console.log('no rejected rows');
          return;
        }
        for (const r of rows) {
          console.log(
            `${pc.dim(`${r.source.replace(/^file:/, '')}:${r.source_line ?? '?'}`)} ${pc.yellow(r.reason)}`,
          );
          if (r.raw) console.log(`  ${r.raw.slice(0, 200)}`);
        }
        const total = count?.n ?? rows.length;
        if (total > rows.length)
          console.log(pc.dim(`(${rows.length} of ${total}; --limit for more)`));
      });
    });
}
