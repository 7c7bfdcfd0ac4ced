import type { Account, AccountSignal } from '../accounts/account.js';
import { accountReport } from '../accounts/account-report.js';
import { type AccountTraits, readAccountTraits } from '../analysis/explain-traits.js';
import type { Engine } from '../engines/engine.js';
import { snapshotInput } from '../lifecycle/snapshot-input.js';
import type { Playbook } from '../model/playbook.js';
import { periodOf } from '../time/periods.js';
import type { EvaluationContext } from './evaluation-context.js';
import { accountTraitsPass } from './filters.js';
import type { Occurrence } from './occurrence.js';
import { occurrenceId } from './occurrence-ids.js';
import { byDefinition } from './playbook-groups.js';

/**
 * The `account_signal` trigger (docs/playbooks.md, "Account signals"): an account that shows the
 * signal in the account report now (lost power users, a silent champion, a maven moved in or
 * out, an expansion candidate), filtered on the account's traits. The report is the one
 * `powerlens accounts` prints, as of the run's last day with data, so a playbook and the report
 * never disagree about an account.
 */
export async function evaluateAccountTriggers(
  engine: Engine,
  ctx: EvaluationContext,
  playbooks: Record<string, Playbook>,
): Promise<Occurrence[]> {
  const groups = byDefinition(playbooks, ctx.definition, isAccountPlaybook);
  const out = new Map<string, Occurrence>();
  for (const [definition, mine] of groups) {
    const input = snapshotInput(ctx.config, ctx.projectId, { definition });
    const report = await accountReport(engine, { ...input, asOf: ctx.asOf });
    const periodStart = periodOf(ctx.asOf, input.period).start;
    const traits = mine.some(([, p]) => p.filters.account_traits)
      ? await readAccountTraits(
          engine,
          ctx.projectId,
          report.accounts.map((a) => a.account_id),
        )
      : new Map<string, AccountTraits>();
    for (const [name, playbook] of mine) {
      const { trigger } = playbook;
      for (const account of report.accounts) {
        if (!accountTraitsPass(playbook.filters.account_traits, traits.get(account.account_id)))
          continue;
        for (const signal of account.signals) {
          if (signal.signal !== trigger.signal) continue;
          const id = occurrenceId(
            ctx.projectId,
            name,
            trigger,
            account.account_id,
            signalAnchor(signal, periodStart),
          );
          const o = occurrence(id, ctx.projectId, name, account, signal, periodStart);
          // One signal reported twice the same way (the same maven by two routes) fires once.
          out.set(o.occurrence_id, o);
        }
      }
    }
  }
  return [...out.values()];
}

type AccountPlaybook = Playbook & {
  trigger: Extract<Playbook['trigger'], { on: 'account_signal' }>;
};
const isAccountPlaybook = (p: Playbook): p is AccountPlaybook => p.trigger.on === 'account_signal';

/**
 * What makes one signal the same signal from one run to the next, in place of the period in the
 * occurrence id: its `since` (the first day its condition held) and the person it is about, so a
 * signal that persists fires once and a new champion gone silent, or the same one gone silent
 * again later, fires anew. A signal with neither (an expansion candidate) is anchored on the
 * period: it fires once a period while it lasts, which `limits.cooldown_days` spaces out.
 */
export function signalAnchor(signal: AccountSignal, periodStart: string): string {
  // Tagged JSON: a user id that looks like a date cannot pass for a period, nor the reverse.
  if (signal.since === undefined && signal.user_id === undefined) {
    return JSON.stringify(['period', periodStart]);
  }
  return JSON.stringify(['since_user', signal.since ?? null, signal.user_id ?? null]);
}

function occurrence(
  occurrenceId: string,
  projectId: string,
  playbook: string,
  account: Account,
  signal: AccountSignal,
  periodStart: string,
): Occurrence {
  return {
    occurrence_id: occurrenceId,
    project_id: projectId,
    playbook,
    trigger: 'account_signal',
    subject_type: 'account',
    subject_id: account.account_id,
    account_id: account.account_id,
    period_start: periodStart,
    explanation: account.name ? `${account.name}: ${signal.explanation}` : signal.explanation,
    data: {
      signal: signal.signal,
      kind: signal.kind,
      since: signal.since ?? null,
      user_id: signal.user_id ?? null,
      power_users: account.power_users,
      active_users: account.active_users,
      power_user_share: account.power_user_share,
      plan: account.plan ?? null,
      csm: account.csm ?? null,
      mrr: account.mrr ?? null,
      changed: `signals: + ${signal.signal}`,
    },
  };
}
