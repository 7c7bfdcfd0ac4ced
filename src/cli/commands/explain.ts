import type { Command } from 'commander';
import pc from 'picocolors';
import { explainUser, type UserExplanation } from '../../analysis/explain-user.js';
import { resolveAsOf } from '../../analysis/resolve-as-of.js';
import { ENGINE_KINDS } from '../../engines/open-engine.js';
import { resolveSegments } from '../../model/segments.js';
import {
  type GlobalOptions,
  printJson,
  refreshRollups,
  withContext,
  withDataOptions,
} from '../context.js';
import { printable } from '../render/printable.js';
import { renderTable } from '../render/table.js';
import { definitionFromFlags, type ScoringFlags, withScoringOptions } from './scoring-options.js';

interface ExplainFlags extends GlobalOptions, ScoringFlags {}

export function registerExplain(program: Command): void {
  withScoringOptions(
    withDataOptions(
      program
        .command('explain')
        .argument('<user_id>', 'the user to explain')
        .description('why a user is, or is not, a power user: every criterion, signal and feature'),
    ),
  )
    .option('--json', 'print JSON')
    .action(async (userId: string, opts: ExplainFlags) => {
      await withContext(
        opts,
        async (ctx) => {
          const definition = definitionFromFlags(ctx, opts);
          await refreshRollups(ctx);
          const u = await explainUser(ctx.engine, {
            projectId: ctx.projectId,
            userId,
            definition,
            asOf: await resolveAsOf(ctx.engine, ctx.projectId, opts.asOf),
            catalogue: ctx.config.catalogue,
            segments: resolveSegments(ctx.config.segments),
          });
          if (opts.json) {
            printJson(u);
            return;
          }
          const verdict = u.is_power_user ? pc.cyan('a power user') : 'not a power user';
          const account = u.account_id ? ` @ ${u.account_id}` : '';
          console.log(
            pc.bold(`${u.user_id}${account} is ${verdict}`) +
              ` — score ${u.score}, definition "${u.definition}", ${u.window_days} days to ${u.as_of}`,
          );
          console.log(`  ${u.reason}`);
          for (const s of u.segments) console.log(`  ${pc.magenta('segment')} ${s.reason}`);
          for (const line of traitLines(u)) console.log(`  ${line}`);
          console.log('');
          if (u.criteria.length > 0) {
            const rows = u.criteria.map((c) => [
              `${c.passed ? pc.green('✓') : pc.red('✗')} ${c.id}${c.decisive ? '' : pc.dim(' (not deciding)')}`,
              c.signal,
              String(c.value),
              c.op === 'top_percent'
                ? `top ${c.threshold}%`
                : `${c.op === 'max' ? '<=' : '>='} ${c.threshold}`,
              `top ${c.top_percent}%`,
            ]);
            const t = renderTable(['criterion', 'signal', 'value', 'needs', 'rank'], rows);
            console.log(pc.dim(t[0] ?? ''));
            for (const line of t.slice(1)) console.log(line);
          } else {
            const t = renderTable(
              ['signal', 'weight', 'value', 'rank'],
              u.contributions.map((c) => [
                c.signal,
                String(c.weight),
                String(c.value),
                `top ${c.top_percent}%`,
              ]),
            );
            console.log(pc.dim(t[0] ?? ''));
            for (const line of t.slice(1)) console.log(line);
          }
          console.log('');
          console.log(pc.bold('Signals'));
          const signals = Object.entries(u.signals).map(([k, v]) => [k, v.toLocaleString('en-US')]);
          for (const line of renderTable(['', ''], signals).slice(1)) console.log(line);
          console.log('');
          console.log(pc.bold(`Features used (${u.features_used.length})`));
          for (const f of u.features_used) {
            console.log(
              `  ${f.label.padEnd(28)} ${f.kind.padEnd(9)} ${f.uses.toLocaleString('en-US')}`,
            );
          }
        },
        { readOnly: true, engines: ENGINE_KINDS },
      );
    });
}

/** Who the user is and what their account is, from identify and group calls, when known. */
function traitLines(u: UserExplanation): string[] {
  const lines: string[] = [];
  const who = [u.name, u.email ? `<${u.email}>` : undefined].filter(Boolean).join(' ');
  if (who) lines.push(`${pc.dim('user   ')} ${printable(who)}`);
  const a = u.account;
  if (a) {
    const facts = [
      a.plan !== undefined ? `plan ${a.plan}` : undefined,
      a.seats !== undefined ? `${a.seats.toLocaleString('en-US')} seats` : undefined,
      a.mrr !== undefined ? `MRR ${a.mrr.toLocaleString('en-US')}` : undefined,
      a.csm !== undefined ? `CSM ${a.csm}` : undefined,
    ].filter(Boolean);
    const name = a.name ? ` (${a.name})` : '';
    const about = `${a.account_id}${name}${facts.length ? `: ${facts.join(', ')}` : ''}`;
    lines.push(`${pc.dim('account')} ${printable(about)}`);
  }
  const others = Object.entries(u.traits).filter(
    ([k]) => !['email', 'name'].includes(k.toLowerCase()),
  );
  if (others.length > 0) {
    const shown = others
      .slice(0, 8)
      .map(([k, v]) => printable(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`, 60));
    lines.push(`${pc.dim('traits ')} ${shown.join(', ')}${others.length > 8 ? ', ...' : ''}`);
  }
  return lines;
}
