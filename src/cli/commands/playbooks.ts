import type { Command } from 'commander';
import { Option } from 'commander';
import { resolveAsOf } from '../../analysis/resolve-as-of.js';
import { RemoteEngine } from '../../engines/remote/remote-engine.js';
import type { DeliveryStatus } from '../../playbooks/occurrence.js';
import { deliveryLog, retryDeadDelivery } from '../../playbooks/outbox.js';
import { playbooksToRun, previewPlaybook, runPlaybooks } from '../../playbooks/run-playbooks.js';
import { testPlaybook } from '../../playbooks/test-playbook.js';
import {
  type GlobalOptions,
  printJson,
  refreshRollups,
  withContext,
  withDataOptions,
} from '../context.js';
import {
  renderDeliveryLog,
  renderPlaybookList,
  renderPreview,
  renderRun,
  renderTests,
} from '../render/playbooks-text.js';
import { parseIsoDay, parsePositiveInt } from './parse-options.js';

interface RunFlags extends GlobalOptions {
  asOf?: string;
  only?: string;
  send: boolean;
  baseUrl?: string;
  json?: boolean;
}

interface LogFlags extends GlobalOptions {
  playbook?: string;
  status?: DeliveryStatus;
  user?: string;
  limit?: number;
  attempts?: boolean;
  json?: boolean;
}

const asOfOption = () =>
  new Option(
    '--as-of <date>',
    'last day the snapshots compared reach (default: last day with data)',
  ).argParser(parseIsoDay('--as-of'));
const baseUrlOption = () =>
  new Option(
    '--base-url <url>',
    "the dashboard's address, for the link in each payload (default: POWERLENS_BASE_URL)",
  );

export function registerPlaybooks(program: Command): void {
  const playbooks = program
    .command('playbooks')
    .description(
      'act on power users: triggers, webhooks, the outbox and its delivery log (docs/playbooks.md)',
    );

  withDataOptions(
    playbooks.command('list').description('the playbooks in the config, and what each sends'),
  )
    .option('--json', 'print JSON')
    .action(async (opts: GlobalOptions & { json?: boolean }) => {
      await withContext(opts, async (ctx) => {
        const list = Object.entries(ctx.config.playbooks).map(([name, p]) => ({ name, ...p }));
        if (opts.json) printJson(list);
        else console.log(renderPlaybookList(list));
      });
    });

  withDataOptions(
    playbooks
      .command('run')
      .description(
        'evaluate the triggers on the latest snapshots, record new occurrences with their deliveries, send what is due (idempotent: cron it)',
      ),
  )
    .addOption(asOfOption())
    .option('--only <name>', 'only this playbook')
    .option('--no-send', 'record and queue only; send on a later run')
    .addOption(baseUrlOption())
    .option('--json', 'print JSON')
    .action(async (opts: RunFlags) => {
      await withContext(opts, async (ctx) => {
        await refreshRollups(ctx);
        const result = await runPlaybooks(ctx.engine, {
          projectId: ctx.projectId,
          config: ctx.config,
          asOf: await resolveAsOf(ctx.engine, ctx.projectId, opts.asOf, true),
          now: new Date(),
          only: opts.only,
          baseUrl: opts.baseUrl ?? process.env.POWERLENS_BASE_URL ?? null,
          env: process.env,
          random: Math.random,
          dispatch: opts.send,
          // Through a running serve, its batches' records queue behind the serve's requests.
          turnWaitMs:
            ctx.engine instanceof RemoteEngine ? ctx.config.api.request_timeout_seconds * 1000 : 0,
        });
        if (opts.json) printJson(result);
        else console.log(renderRun(result));
      });
    });

  withDataOptions(
    playbooks
      .command('preview')
      .argument('<name>', 'a playbook from the config')
      .description('who the playbook would reach now, and why, without sending anything'),
  )
    .addOption(asOfOption())
    .option('--json', 'print JSON')
    .action(async (name: string, opts: GlobalOptions & { asOf?: string; json?: boolean }) => {
      await withContext(opts, async (ctx) => {
        await refreshRollups(ctx);
        const people = await previewPlaybook(ctx.engine, {
          projectId: ctx.projectId,
          config: ctx.config,
          asOf: await resolveAsOf(ctx.engine, ctx.projectId, opts.asOf, true),
          name,
        });
        if (opts.json) printJson(people);
        else console.log(renderPreview(name, people));
      });
    });

  withDataOptions(
    playbooks
      .command('test')
      .argument('<name>', 'a playbook from the config')
      .description(
        "send one sample of each of the playbook's actions now (about the first person it would reach), outside the outbox",
      ),
  )
    .addOption(asOfOption())
    .addOption(baseUrlOption())
    .option('--json', 'print JSON')
    .action(
      async (
        name: string,
        opts: GlobalOptions & { asOf?: string; baseUrl?: string; json?: boolean },
      ) => {
        await withContext(opts, async (ctx) => {
          // Named first: an unknown playbook is an error before any work.
          playbooksToRun(ctx.config, name);
          const sends = await testPlaybook(ctx.engine, {
            projectId: ctx.projectId,
            config: ctx.config,
            asOf: await resolveAsOf(ctx.engine, ctx.projectId, opts.asOf, true),
            name,
            now: new Date(),
            env: process.env,
            baseUrl: opts.baseUrl ?? process.env.POWERLENS_BASE_URL ?? null,
          });
          if (opts.json) printJson(sends);
          else console.log(renderTests(name, sends));
          if (sends.some((s) => !s.ok)) process.exitCode = 1;
        });
      },
    );

  withDataOptions(
    playbooks.command('log').description('the deliveries, newest first, with their attempts'),
  )
    .option('--playbook <name>', 'only this playbook')
    .addOption(
      new Option('--status <status>', 'only deliveries in this state').choices([
        'queued',
        'sent',
        'dead',
      ]),
    )
    .option('--user <id>', 'only deliveries about this user')
    .option('--limit <n>', 'at most this many (default 50)', (v) => parsePositiveInt('--limit', v))
    .option('--attempts', 'each delivery with every attempt (time, status, latency, error)')
    .option('--json', 'print JSON')
    .action(async (opts: LogFlags) => {
      await withContext(opts, async (ctx) => {
        const log = await deliveryLog(ctx.engine, ctx.projectId, {
          playbook: opts.playbook,
          status: opts.status,
          subjectId: opts.user,
          limit: opts.limit ?? 50,
          withAttempts: opts.attempts || opts.json,
        });
        if (opts.json) printJson(log);
        else console.log(renderDeliveryLog(log, opts.attempts === true));
      });
    });

  withDataOptions(
    playbooks
      .command('retry')
      .argument('<delivery_id>', 'a dead delivery (msg_...), from playbooks log --status dead')
      .description('queue a dead delivery again (same webhook-id), sent on the next run'),
  )
    .option('--json', 'print JSON')
    .action(async (id: string, opts: GlobalOptions & { json?: boolean }) => {
      await withContext(opts, async (ctx) => {
        const queued = await retryDeadDelivery(ctx.engine, ctx.projectId, id, new Date());
        if (!queued) {
          throw new Error(
            `no dead delivery ${id} in project ${ctx.projectId}: powerlens playbooks log --status dead lists them.`,
          );
        }
        if (opts.json) printJson({ delivery_id: id, status: 'queued' });
        else console.log(`${id} queued again: powerlens playbooks run sends it.`);
      });
    });
}
