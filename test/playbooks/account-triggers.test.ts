import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../../src/ingest/import/run-import.js';
import { type Config, ConfigSchema } from '../../src/model/config.js';
import { lifecycleRules } from '../../src/model/lifecycle-config.js';
import { resolveSegments } from '../../src/model/segments.js';
import { signalAnchor } from '../../src/playbooks/account-triggers.js';
import { dispatchDue } from '../../src/playbooks/dispatcher.js';
import { evaluatePlaybooks } from '../../src/playbooks/evaluate-playbooks.js';
import type { Occurrence } from '../../src/playbooks/occurrence.js';
import { deliveryLog, recordOccurrences } from '../../src/playbooks/outbox.js';
import { runRollup } from '../../src/rollup/run-rollup.js';
import { type SmtpReceiver, startSmtpReceiver } from '../helpers/smtp-receiver.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/*
 * The account_signal trigger on planted accounts, weekly (the plan of
 * test/lifecycle/accounts.test.ts, a fifth week added, near misses beside each signal). UTC; a
 * 7-day window, a power user is active on 4+ of its days. Five weeks W0..W4 from Monday
 * 2026-10-05; evaluated as of Saturday 2026-10-31 (W3, the rich accounts' last day that week),
 * then as of Saturday 2026-11-07 (W4).
 *
 * As of W3: acct_lost lost its only power user (since the week of 2026-10-26); acct_champ's
 * champion (94% of 3 users' events in W2) is gone; maven left acct_old (a power user stays
 * there) for acct_new (since 2026-10-26); domain_mover's e-mail domain changed (acct_dom, maven
 * moved in). acct_pair's top user stopped too, but of two users: no champion, and its other
 * user is still a power user: nothing. Expansion: the alpha-beta accounts with a third or more
 * power users and unknown plan and seats: acct_cand and rich_1..4. The reference is the top
 * quarter (2: rich_1, rich_2) of the 6 accounts with a power user and 2+ active users;
 * acct_champ (1 power user of 2) uses alpha only: similarity -0.03 against the alpha-beta
 * leaning, not a candidate; the gamma accounts lean the other way.
 *
 * As of W4 every user does what they did in W3: the lost account, the mavens and the domain move
 * are the same signals (same since, same person): nothing new. The champion's window before is
 * W3, where they were gone already: no champion any more. The expansion candidates are anchored
 * on the period: new occurrences, which a 90-day cooldown holds back.
 */
const WEEKS = ['2026-10-05', '2026-10-12', '2026-10-19', '2026-10-26', '2026-11-02'];
const AS_OF_W3 = '2026-10-31';
const AS_OF_W4 = '2026-11-07';
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

// user -> per week: [account, days active, events per day, events] or null (not active)
type Week = [string, number, number, string[]] | null;
const weeks = (w: Week[]): Week[] => [...w, w[w.length - 1] ?? null];
const PLAN: Record<string, Week[]> = {
  lost_power: weeks([
    ['acct_lost', 5, 5, ['alpha']],
    ['acct_lost', 5, 5, ['alpha']],
    ['acct_lost', 5, 5, ['alpha']],
    null,
  ]),
  lost_light: weeks(Array.from({ length: 4 }, () => ['acct_lost', 1, 2, ['gamma']] as Week)),
  champion: weeks([
    ['acct_champ', 5, 30, ['alpha']],
    ['acct_champ', 5, 30, ['alpha']],
    ['acct_champ', 5, 30, ['alpha']],
    null,
  ]),
  champ_peer: weeks(Array.from({ length: 4 }, () => ['acct_champ', 4, 2, ['alpha']] as Week)),
  champ_light: weeks(Array.from({ length: 4 }, () => ['acct_champ', 1, 2, ['alpha']] as Week)),
  // Near miss: carries a pair, then stops; its partner is a power user throughout.
  pair_top: weeks([
    ['acct_pair', 5, 30, ['gamma']],
    ['acct_pair', 5, 30, ['gamma']],
    ['acct_pair', 5, 30, ['gamma']],
    null,
  ]),
  pair_other: weeks(Array.from({ length: 4 }, () => ['acct_pair', 4, 2, ['gamma']] as Week)),
  maven: weeks([
    ['acct_old', 5, 5, ['alpha']],
    ['acct_old', 5, 5, ['alpha']],
    ['acct_old', 5, 5, ['alpha']],
    ['acct_new', 5, 5, ['alpha']],
  ]),
  old_peer: weeks(Array.from({ length: 4 }, () => ['acct_old', 4, 3, ['alpha']] as Week)),
  domain_mover: weeks(Array.from({ length: 4 }, () => ['acct_dom', 5, 5, ['alpha']] as Week)),
};
for (const [i, acct] of ['rich_1', 'rich_2', 'rich_3', 'rich_4'].entries()) {
  for (const u of [0, 1]) {
    PLAN[`${acct}_u${u}`] = WEEKS.map(() => [acct, 5 + (i % 2), 4, ['alpha', 'beta']]);
  }
}
for (const u of [0, 1, 2])
  PLAN[`cand_u${u}`] = WEEKS.map(() => ['acct_cand', u === 0 ? 5 : 2, 3, ['alpha', 'beta']]);
for (const acct of ['plain_1', 'plain_2', 'plain_3']) {
  for (const u of [0, 1]) PLAN[`${acct}_u${u}`] = WEEKS.map(() => [acct, 2, 3, ['gamma']]);
}

function csv(): string {
  const lines = ['message_id,timestamp,user_id,account_id,event'];
  for (const [user, plan] of Object.entries(PLAN)) {
    for (const [w, week] of plan.entries()) {
      if (!week) continue;
      const [account, days, perDay, events] = week;
      for (let d = 0; d < days; d++) {
        const day = addDays(WEEKS[w] as string, d);
        for (let k = 0; k < perDay; k++) {
          const at = `${day}T10:${String(k).padStart(2, '0')}:00Z`;
          lines.push(`${user}-${day}-${k},${at},${user},${account},${events[k % events.length]}`);
        }
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Group traits: names, the CSM's address, a region to filter on (no plan, MRR or seats). */
const TRAITS: Record<string, Record<string, unknown>> = {
  acct_lost: { name: 'Lost Co', csm: 'ana', csm_email: 'ana@cs.test', region: 'emea' },
  acct_champ: { name: 'Champ Ltd', csm_email: 'bo@cs.test', region: 'emea' },
  acct_new: { name: 'New & Co', region: 'emea' },
  acct_dom: { name: 'Dom Inc', region: 'apac' },
  acct_old: { region: 'emea' },
};

const SMTP_FROM = 'cs@powerlens.test';
const config: Config = ConfigSchema.parse({
  definitions: { default: { window_days: 7, rule: { signal: 'days_active', min: 4 } } },
  lifecycle: { period: 'week' },
  playbooks: {
    lost: {
      trigger: { on: 'account_signal', signal: 'lost_power_users' },
      actions: [
        { slack: { url_env: 'SLACK_URL', channel: '#cs' } },
        {
          email: {
            to: { account_trait: 'csm_email' },
            from: SMTP_FROM,
            subject: '{{account.name}} ({{account_id}}) lost its power users',
            text: 'Hi {{account.csm}}: {{explanation}}. Person: [{{user_id}}]. {{trigger}} {{period_start}}',
            smtp_url_env: 'SMTP_URL',
            timeout_seconds: 5,
          },
        },
      ],
    },
    champion: {
      trigger: { on: 'account_signal', signal: 'champion_silent' },
      actions: [
        {
          email: {
            to: { account_trait: 'csm_email' },
            from: SMTP_FROM,
            subject: 'Champion {{user_id}} of {{account.name}} went quiet',
            text: 'Call {{user.name}} <{{user.email}}>: {{explanation}}',
            smtp_url_env: 'SMTP_URL',
            timeout_seconds: 5,
          },
        },
      ],
    },
    moved_out: {
      trigger: { on: 'account_signal', signal: 'maven_moved_out' },
      actions: [{ webhook: { url: 'https://hooks.example.com/x', secret_env: 'HOOK_SECRET' } }],
    },
    moved_in_emea: {
      trigger: { on: 'account_signal', signal: 'maven_moved_in' },
      filters: { account_traits: { region: ['emea'] } },
      actions: [{ webhook: { url: 'https://hooks.example.com/x', secret_env: 'HOOK_SECRET' } }],
    },
    moved_in: {
      trigger: { on: 'account_signal', signal: 'maven_moved_in' },
      actions: [{ webhook: { url: 'https://hooks.example.com/x', secret_env: 'HOOK_SECRET' } }],
    },
    expansion: {
      trigger: { on: 'account_signal', signal: 'expansion_candidate' },
      actions: [{ webhook: { url: 'https://hooks.example.com/x', secret_env: 'HOOK_SECRET' } }],
      limits: { cooldown_days: 90 },
    },
  },
});

let smtp: SmtpReceiver;
let db: TempDb;
let w3: Occurrence[];
let w3Again: Occurrence[];
let w4: Occurrence[];

const evaluate = async (asOf: string) =>
  (
    await evaluatePlaybooks(
      db.engine,
      {
        projectId: 'default',
        config,
        asOf,
        definition: 'default',
        rules: lifecycleRules(config.lifecycle),
        segments: resolveSegments(config.segments),
      },
      config.playbooks,
    )
  ).occurrences;

beforeAll(async () => {
  smtp = await startSmtpReceiver();

  db = await openTempDb();
  await runImport(db.engine, {
    path: db.file('events.csv', csv()),
    projectId: 'default',
    timeZone: 'UTC',
    now: new Date('2026-11-24T00:00:00Z'),
  });
  const row = (id: string, at: string) => ({
    project_id: 'default',
    message_id: id,
    timestamp: at,
    anonymous_id: null,
    received_at: at,
    source: 'test',
  });
  await db.engine.insert('identifies', [
    {
      ...row('i1', '2026-10-05 09:00:00'),
      user_id: 'domain_mover',
      traits: JSON.stringify({ email: 'ada@old-employer.com' }),
    },
    {
      ...row('i2', '2026-10-27 09:00:00'),
      user_id: 'domain_mover',
      traits: JSON.stringify({ email: 'ada@new-employer.io', name: 'Ada' }),
    },
    {
      ...row('i3', '2026-10-05 09:00:00'),
      user_id: 'champion',
      traits: JSON.stringify({ email: 'cham@champ.test', name: 'Cham Pion' }),
    },
  ]);
  await db.engine.insert(
    'group_memberships',
    Object.entries(TRAITS).map(([account_id, traits], i) => ({
      ...row(`g${i}`, '2026-10-05 09:00:00'),
      user_id: null,
      account_id,
      traits: JSON.stringify(traits),
    })),
  );
  await runRollup(db.engine, { projectId: 'default', timeZone: 'UTC', sessionGapMinutes: 30 });
  w3 = await evaluate(AS_OF_W3);
  w3Again = await evaluate(AS_OF_W3);
  w4 = await evaluate(AS_OF_W4);
}, 120_000);

afterAll(async () => {
  await smtp.close();
  await db.cleanup();
});

const fired = (occurrences: Occurrence[], playbook: string) =>
  occurrences
    .filter((o) => o.playbook === playbook)
    .map((o) => o.subject_id)
    .sort();

describe('account_signal: who fires', () => {
  it('fires for exactly the planted accounts, per signal', () => {
    expect(fired(w3, 'lost')).toEqual(['acct_lost']);
    expect(fired(w3, 'champion')).toEqual(['acct_champ']);
    expect(fired(w3, 'moved_out')).toEqual(['acct_old']);
    expect(fired(w3, 'moved_in')).toEqual(['acct_dom', 'acct_new']);
    expect(fired(w3, 'expansion')).toEqual(['acct_cand', 'rich_1', 'rich_2', 'rich_3', 'rich_4']);
  });

  it('applies account_traits to the account: region emea keeps acct_new, drops acct_dom (apac)', () => {
    expect(fired(w3, 'moved_in_emea')).toEqual(['acct_new']);
  });

  it('is about the account, with the signal and the account numbers in data', () => {
    const lost = w3.find((o) => o.playbook === 'lost') as Occurrence;
    expect(lost).toMatchObject({
      trigger: 'account_signal',
      subject_type: 'account',
      subject_id: 'acct_lost',
      account_id: 'acct_lost',
      period_start: '2026-10-26',
      explanation:
        'Lost Co: had 1 power user until the week of 2026-10-19 and none since the week of 2026-10-26 (1 week): churn risk',
    });
    expect(lost.data).toEqual({
      signal: 'lost_power_users',
      kind: 'risk',
      since: '2026-10-26',
      user_id: null,
      power_users: 0,
      active_users: 1,
      power_user_share: 0,
      plan: null,
      csm: 'ana',
      mrr: null,
      changed: 'signals: + lost_power_users',
    });
    const champ = w3.find((o) => o.playbook === 'champion') as Occurrence;
    expect(champ.data).toMatchObject({ signal: 'champion_silent', user_id: 'champion' });
    expect(champ.explanation).toMatch(/^Champ Ltd: champion did 94% of the events/);
    const moved = w3.find((o) => o.playbook === 'moved_out') as Occurrence;
    expect(moved.data).toMatchObject({ user_id: 'maven', since: '2026-10-26' });
    // No name known: the report's sentence as it is.
    expect(moved.explanation).toBe(
      'power user maven (here until the week of 2026-10-19) now works in account acct_new',
    );
  });
});

describe('account_signal: stable ids', () => {
  it('the same snapshots give the same occurrences', () => {
    expect(w3Again).toEqual(w3);
  });

  it('a signal that persists keeps its id; an expansion candidate is once a period', () => {
    const ids = new Set(w3.map((o) => o.occurrence_id));
    const persisting = w4.filter((o) => o.playbook !== 'expansion');
    expect(persisting.map((o) => `${o.playbook} ${o.subject_id}`).sort()).toEqual([
      'lost acct_lost',
      'moved_in acct_dom',
      'moved_in acct_new',
      'moved_in_emea acct_new',
      'moved_out acct_old',
    ]);
    for (const o of persisting) expect(ids.has(o.occurrence_id)).toBe(true);
    expect(fired(w4, 'champion')).toEqual([]);
    const expansion = w4.filter((o) => o.playbook === 'expansion');
    expect(expansion.map((o) => o.subject_id).sort()).toEqual(fired(w3, 'expansion'));
    for (const o of expansion) {
      expect(o.period_start).toBe('2026-11-02');
      expect(ids.has(o.occurrence_id)).toBe(false);
    }
  });

  it('anchors on since and the person, else the period', () => {
    const base = { signal: 'champion_silent', kind: 'risk', explanation: '' } as const;
    expect(signalAnchor({ ...base, since: '2026-10-24', user_id: 'u1' }, '2026-10-26')).toBe(
      '["since_user","2026-10-24","u1"]',
    );
    expect(signalAnchor({ ...base, user_id: 'u1' }, '2026-10-26')).toBe('["since_user",null,"u1"]');
    expect(signalAnchor({ ...base }, '2026-10-26')).toBe('["period","2026-10-26"]');
    // A person whose id looks like a date is not a period.
    expect(signalAnchor({ ...base, user_id: '2026-10-26' }, '2026-10-26')).not.toBe(
      signalAnchor({ ...base }, '2026-10-26'),
    );
  });
});

describe('account_signal: the outbox and the channels', () => {
  const now = new Date('2026-11-08T06:00:00Z');

  it('records each once: a second run records nothing new; the cooldown holds the next period', async () => {
    const first = await recordOccurrences(db.engine, 'default', w3, config.playbooks, now, {
      baseUrl: 'https://powerlens.example.com',
    });
    expect(first).toMatchObject({ recorded: w3.length, skipped: 0 });
    const again = await recordOccurrences(db.engine, 'default', w3Again, config.playbooks, now);
    expect(again).toMatchObject({ recorded: 0, already: w3.length });
    const later = await recordOccurrences(
      db.engine,
      'default',
      w4,
      config.playbooks,
      new Date('2026-11-15T06:00:00Z'),
    );
    // The persisting signals were recorded; the expansion candidates of W4 are in cooldown.
    expect(later).toMatchObject({ recorded: 0, already: 5, cooldown: 5 });
  });

  it('a Slack message about an account names the account and what changed', async () => {
    const log = await deliveryLog(db.engine, 'default', { playbook: 'lost' });
    const slack = log.find((d) => d.channel === 'slack');
    const body = JSON.parse(slack?.payload ?? '{}');
    expect(body.text).toBe(
      'Account signal: Lost Co (acct_lost): Lost Co: had 1 power user until the week of 2026-10-19 and none since the week of 2026-10-26 (1 week): churn risk',
    );
    expect(JSON.stringify(body.blocks)).toContain('*Account*\\nLost Co (acct_lost)');
    expect(JSON.stringify(body.blocks)).toContain('*Changed*\\nsignals: + lost_power_users');
    expect(JSON.stringify(body.blocks)).toContain(
      'https://powerlens.example.com/#/accounts/acct_lost',
    );
  });

  it('an e-mail to the account trait csm_email reaches the SMTP server, variables filled', async () => {
    const sent = await dispatchDue(db.engine, {
      projectId: 'default',
      playbooks: config.playbooks,
      now: new Date('2026-11-08T06:01:00Z'),
      env: { SMTP_URL: smtp.url },
      random: () => 0.5,
    });
    expect(sent).toMatchObject({ sent: 2 });
    const unfold = (raw: string) => raw.replace(/\r\n[ \t]+/g, ' ').replace(/=\r?\n/g, '');
    const ana = smtp.received.find((m) => m.to[0] === 'ana@cs.test');
    expect(unfold(ana?.raw ?? '')).toMatch(
      /^Subject: Lost Co \(acct_lost\) lost its power users\r?$/m,
    );
    expect(unfold(ana?.raw ?? '')).toContain(
      'Hi ana: Lost Co: had 1 power user until the week of 2026-10-19 and none since the week of 2026-10-26 (1 week): churn risk. Person: []. account_signal 2026-10-26',
    );
    const bo = smtp.received.find((m) => m.to[0] === 'bo@cs.test');
    // {{user_id}} is the champion the signal is about.
    expect(unfold(bo?.raw ?? '')).toMatch(
      /^Subject: Champion champion of Champ Ltd went quiet\r?$/m,
    );
    // {{user.TRAIT}} reads that person's identify traits.
    expect(unfold(bo?.raw ?? '')).toContain(
      'Call Cham Pion <cham@champ.test>: Champ Ltd: champion did 94%',
    );
    expect(smtp.received).toHaveLength(2);
  });
});
