import pc from 'picocolors';
import type { Action, Playbook } from '../../model/playbook.js';
import { triggerInWords } from '../../playbooks/list-playbooks.js';
import type { DeliveryAttempt, DeliveryLogEntry } from '../../playbooks/outbox.js';
import type { PlaybookRunResult, PreviewedOccurrence } from '../../playbooks/run-playbooks.js';
import type { TestSend } from '../../playbooks/test-playbook.js';
import { dimHeader, renderTable } from './table.js';

export function renderPlaybookList(list: (Playbook & { name: string })[]): string {
  if (list.length === 0) {
    return 'No playbooks in the config. docs/playbooks.md shows one to start from (playbooks: in powerlens.yaml).';
  }
  const t = renderTable(
    ['playbook', 'fires when', 'filters', 'sends', 'limits'],
    list.map((p) => [
      p.enabled ? p.name : `${p.name} (off)`,
      triggerInWords(p.trigger),
      [
        p.filters.segments ? `segments ${p.filters.segments.join('/')}` : '',
        p.filters.score ? `score ${p.filters.score.min ?? 0}..${p.filters.score.max ?? 100}` : '',
        ...Object.entries(p.filters.account_traits ?? {}).map(([k, v]) => `${k} ${v.join('/')}`),
      ]
        .filter(Boolean)
        .join(', ') || '-',
      p.actions.map(actionText).join('; '),
      `${p.limits.max_per_run}/run${p.limits.cooldown_days > 0 ? `, cooldown ${p.limits.cooldown_days} d` : ''}`,
    ]),
    '  ',
    [1, 2, 3, 4],
  );
  return dimHeader(t).join('\n');
}

/** Only the host of a URL written in the config: its path may hold a token. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid URL';
  }
}

/** Where an action sends, without secrets: the host or the variable holding the URL, the recipient. */
function actionText(a: Action): string {
  if (a.slack) return `slack $${a.slack.url_env}${a.slack.channel ? ` ${a.slack.channel}` : ''}`;
  if (a.email) {
    const to = a.email.to === 'user' ? 'the user' : `account ${a.email.to.account_trait}`;
    return `email to ${to} via $${a.email.smtp_url_env}`;
  }
  const url = a.webhook?.url;
  return `webhook ${url !== undefined ? hostOf(url) : `$${a.webhook?.url_env}`}`;
}

export function renderRun(r: PlaybookRunResult): string {
  const lines = [pc.bold('Playbooks run')];
  for (const [name, n] of Object.entries(r.fired)) lines.push(`  ${name}: ${n} fired`);
  if (Object.keys(r.fired).length === 0) lines.push('  no enabled playbook in the config');
  const rec = r.recorded;
  lines.push(
    `  recorded ${rec.recorded} new (${rec.queued} deliveries queued); skipped ${rec.skipped}: ${rec.already} recorded before, ${rec.cooldown} in cooldown, ${rec.over_limit} past max_per_run (next run)`,
  );
  if (r.computed_periods > 1)
    lines.push(pc.dim(`  computed ${r.computed_periods} snapshot periods first`));
  const d = r.dispatched;
  if (d === null) lines.push('  nothing sent (--no-send): the next run sends what is queued');
  else {
    lines.push(`  sent ${d.sent} of ${d.due} due; ${d.retried} to retry later, ${d.dead} dead`);
    if (d.dead > 0) lines.push(pc.yellow('  powerlens playbooks log --status dead says why'));
  }
  return lines.join('\n');
}

export function renderPreview(name: string, people: PreviewedOccurrence[]): string {
  if (people.length === 0) {
    return `${name} reaches nobody now (its trigger fired for no one between the latest two periods, or its filters kept them out).`;
  }
  const fresh = people.filter((p) => !p.already_recorded).length;
  const t = renderTable(
    ['who', 'account', 'period', 'new', 'why'],
    people.map((p) => [
      p.subject_type === 'project' ? 'the project' : p.subject_id,
      p.account_id || '-',
      p.period_start,
      p.already_recorded ? 'sent before' : 'yes',
      p.explanation,
    ]),
    '  ',
    [1, 2, 3, 4],
  );
  return [
    pc.bold(`${name} would reach ${people.length} (${fresh} not reached before)`),
    ...dimHeader(t),
  ].join('\n');
}

export function renderTests(name: string, sends: TestSend[]): string {
  return [
    pc.bold(`${name}: one sample per action`),
    ...sends.map(
      (s) =>
        `  action ${s.action_index + 1} (${s.channel}, ${s.delivery_id}, about ${s.subject_id}${s.sample ? ', made up' : ''}): ${
          s.ok
            ? pc.green(`${s.status_code} ok`)
            : pc.red(s.status_code !== null ? `${s.status_code}` : (s.error ?? 'failed'))
        }`,
    ),
  ].join('\n');
}

const attemptLine = (a: DeliveryAttempt) =>
  `      #${a.attempt} ${a.started_at} ${a.outcome} ${a.status_code ?? '-'} ${a.latency_ms} ms${a.error ? ` ${a.error}` : ''}`;

export function renderDeliveryLog(
  log: (DeliveryLogEntry & { attempt_log?: DeliveryAttempt[] })[],
  withAttempts: boolean,
): string {
  if (log.length === 0) return 'No deliveries yet: powerlens playbooks run records and sends them.';
  const t = renderTable(
    ['delivery', 'playbook', 'who', 'status', 'attempts', 'fired', 'last error'],
    log.map((d) => [
      d.delivery_id,
      d.playbook,
      d.subject_id,
      d.status,
      String(d.attempts),
      d.fired_at,
      d.last_error ?? '',
    ]),
    '  ',
    [1, 2, 3, 5, 6],
  );
  const lines = dimHeader(t);
  if (!withAttempts) return lines.join('\n');
  const out: string[] = [lines[0] ?? ''];
  log.forEach((d, i) => {
    out.push(lines[i + 1] ?? '');
    for (const a of d.attempt_log ?? []) out.push(pc.dim(attemptLine(a)));
  });
  return out.join('\n');
}
