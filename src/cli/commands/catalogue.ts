import { existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import pc from 'picocolors';
import { resolveAsOf } from '../../analysis/resolve-as-of.js';
import {
  CATALOGUE_WINDOW_DAYS,
  catalogueForConfig,
  runCatalogue,
} from '../../analysis/run-catalogue.js';
import { ENGINE_KINDS } from '../../engines/open-engine.js';
import { DEFAULT_CONFIG_FILE } from '../../model/config.js';
import { setConfigKey } from '../../model/write-config.js';
import {
  type GlobalOptions,
  printJson,
  refreshRollups,
  withContext,
  withDataOptions,
} from '../context.js';
import { formatCount } from '../render/numbers.js';
import { dimHeader, renderTable } from '../render/table.js';
import { parseWindow } from './parse-options.js';

interface CatalogueFlags extends GlobalOptions {
  asOf?: string;
  window: number;
  write?: boolean;
}

export function registerCatalogue(program: Command): void {
  withDataOptions(
    program
      // `catalog` is the name issues and docs use; the code and config spell it catalogue.
      .command('catalog')
      .alias('catalogue')
      .description('the feature catalogue: configured features and those inferred from events'),
  )
    .option('--as-of <date>', 'last day of the window, YYYY-MM-DD (default: last day with data)')
    .option('--window <days>', 'trailing window in days', parseWindow, CATALOGUE_WINDOW_DAYS)
    .option('--write', 'save the catalogue into the config file for editing')
    .option('--json', 'print the catalogue as JSON')
    .action(async (opts: CatalogueFlags) => {
      // --write may start a config file; every other command insists that --config exists.
      if (opts.write && opts.config && !existsSync(opts.config)) {
        writeFileSync(opts.config, '# powerlens configuration (docs/definition.md)\n');
      }
      await withContext(
        opts,
        async (ctx) => {
          await refreshRollups(ctx);
          const listing = await runCatalogue(ctx.engine, {
            projectId: ctx.projectId,
            asOf: await resolveAsOf(ctx.engine, ctx.projectId, opts.asOf),
            windowDays: opts.window,
            catalogue: ctx.config.catalogue,
          });
          if (opts.write) {
            const file = opts.config ?? DEFAULT_CONFIG_FILE;
            const saved = catalogueForConfig(ctx.config.catalogue, listing);
            setConfigKey(file, ['catalogue'], saved);
            process.stderr.write(
              `wrote ${formatCount(saved.features.length)} features to ${file} (catalogue:); edit kinds, tags, globs and release dates there.\n`,
            );
          }
          if (opts.json) {
            printJson(listing);
            return;
          }
          console.log(
            pc.bold(
              `Feature catalogue — ${formatCount(listing.features.length)} features, ${formatCount(listing.active_users)} active users in the ${listing.window_days} days to ${listing.as_of}`,
            ),
          );
          const table = renderTable(
            ['feature', 'kind', 'tags', 'users', 'share', 'source'],
            listing.features.map((f) => [
              f.feature,
              f.kind,
              f.tags.join(',') || '-',
              formatCount(f.users),
              `${(f.users_share * 100).toFixed(1)}%`,
              f.source,
            ]),
          );
          const [header = '', ...rows] = dimHeader(table);
          console.log(header);
          // Each feature, then why it has its kind and tags.
          listing.features.forEach((f, i) => {
            console.log(rows[i] ?? '');
            for (const reason of f.reasons) console.log(pc.dim(`      ${reason}`));
          });
          if (!opts.write) {
            console.log(
              pc.dim('\n  powerlens catalog --write saves this into the config for editing.'),
            );
          }
        },
        { readOnly: true, engines: ENGINE_KINDS },
      );
    });
}
