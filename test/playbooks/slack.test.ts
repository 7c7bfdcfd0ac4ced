import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlaybookSchema } from '../../src/model/playbook.js';
import { dispatchDue } from '../../src/playbooks/dispatcher.js';
import type { Occurrence } from '../../src/playbooks/occurrence.js';
import { deliveryLog, recordOccurrences } from '../../src/playbooks/outbox.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/*
 * Slack actions end to end: a real DuckDB file with the user's and account's traits, and a real
 * HTTP receiver on 127.0.0.1 standing in for a Slack incoming webhook.
 */

const PROJECT = 'slackco';
const received: { path: string; contentType: string; body: string }[] = [];
/** Scripted answers, in turn (then 200 ok): Slack says why it refused in the body, as text. */
const replies: { status: number; body: string; retryAfter?: string }[] = [];
let server: Server;
let base = '';
let db: TempDb;

beforeAll(async () => {
  db = await openTempDb();
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    received.push({
      path: req.url ?? '',
      contentType: String(req.headers['content-type']),
      body: Buffer.concat(chunks).toString('utf8'),
    });
    const reply = replies.shift() ?? { status: 200, body: 'ok' };
    res.statusCode = reply.status;
    res.setHeader('content-type', 'text/html');
    if (reply.retryAfter) res.setHeader('retry-after', reply.retryAfter);
    res.end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const at = '2031-03-01T10:00:00Z';
  await db.engine.insert('identifies', [
    {
      project_id: PROJECT,
      message_id: 'i1',
      timestamp: at,
      user_id: 'ada',
      anonymous_id: null,
      traits: JSON.stringify({ email: 'ada@acme.test', name: 'Ada' }),
      received_at: at,
      source: 'test',
    },
  ]);
  await db.engine.insert('group_memberships', [
    {
      project_id: PROJECT,
      message_id: 'g1',
      timestamp: at,
      user_id: 'ada',
      account_id: 'acme',
      traits: JSON.stringify({ name: 'Acme Inc', plan: 'Business' }),
      received_at: at,
      source: 'test',
    },
  ]);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await db.cleanup();
});

const playbooks = {
  at_risk: PlaybookSchema.parse({
    trigger: { on: 'entered_state', state: 'at_risk' },
    actions: [{ slack: { url_env: 'SLACK_URL', channel: '#cs-alerts', timeout_seconds: 5 } }],
  }),
};

function occurrence(subject: string, period: string): Occurrence {
  return {
    occurrence_id: createHash('sha256').update([PROJECT, subject, period].join('\n')).digest('hex'),
    project_id: PROJECT,
    playbook: 'at_risk',
    trigger: 'entered_state',
    subject_type: 'user',
    subject_id: subject,
    account_id: 'acme',
    period_start: period,
    explanation: `at risk in the week of ${period} (score 79): events -87% <against> the 4 weeks before`,
    data: { score: 79, state: 'at_risk', segments: ['advocate', 'heavy'] },
  };
}

const T0 = new Date();

describe('Slack actions', () => {
  it('POSTs a Block Kit message naming who and why, with the numbers, the channel and a link', async () => {
    await recordOccurrences(db.engine, PROJECT, [occurrence('ada', '2031-03-02')], playbooks, T0, {
      baseUrl: 'https://powerlens.example.com/',
    });
    const r = await dispatchDue(db.engine, {
      projectId: PROJECT,
      playbooks,
      now: new Date(T0.getTime() + 1000),
      env: { SLACK_URL: `${base}/services/T0/B0/xyz` },
      random: () => 0.5,
    });
    expect(r).toMatchObject({ due: 1, sent: 1 });
    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req?.path).toBe('/services/T0/B0/xyz');
    expect(req?.contentType).toBe('application/json');
    const body = JSON.parse(req?.body ?? '{}');
    expect(body.channel).toBe('#cs-alerts');
    expect(body.text).toContain('at risk in the week of 2031-03-02');
    expect(Array.isArray(body.blocks)).toBe(true);
    expect(body.blocks.map((b: { type: string }) => b.type)).toEqual([
      'header',
      'section',
      'actions',
      'context',
    ]);
    const [header, section, actions, context] = body.blocks;
    expect(header.text).toEqual({
      type: 'plain_text',
      text: 'Lifecycle change: Ada (ada)',
      emoji: false,
    });
    expect(section.text.type).toBe('mrkdwn');
    expect(section.text.text).toBe(
      '*Ada (ada)*: at risk in the week of 2031-03-02 (score 79): events -87% &lt;against&gt; the 4 weeks before',
    );
    expect(section.fields.map((f: { text: string }) => f.text)).toEqual([
      '*Score*\n79',
      '*Account*\nAcme Inc (acme)',
      '*State*\nat_risk',
      '*Segments*\nadvocate, heavy',
    ]);
    expect(actions.elements[0]).toMatchObject({
      type: 'button',
      url: 'https://powerlens.example.com/#/users/ada',
    });
    expect(context.elements[0].text).toContain('#cs-alerts');
    // The body sent is the one fixed when queued.
    const [d] = await deliveryLog(db.engine, PROJECT, { playbook: 'at_risk' });
    expect(d).toMatchObject({ channel: 'slack', status: 'sent' });
    expect(d?.payload).toBe(req?.body);
  });

  it('retries a 5xx, gives up on a 4xx, and names a missing URL variable', async () => {
    received.length = 0;
    replies.push({ status: 503, body: 'service_unavailable' }, { status: 404, body: 'no_service' });
    await recordOccurrences(
      db.engine,
      PROJECT,
      [occurrence('bo', '2031-03-09'), occurrence('cy', '2031-03-09')],
      playbooks,
      T0,
    );
    const r = await dispatchDue(db.engine, {
      projectId: PROJECT,
      playbooks,
      now: new Date(T0.getTime() + 2000),
      env: { SLACK_URL: `${base}/hook` },
      random: () => 0.5,
    });
    expect(r).toMatchObject({ due: 2, retried: 1, dead: 1 });
    const log = await deliveryLog(db.engine, PROJECT, { status: 'dead' });
    expect(log[0]?.last_error).toBe('refused with HTTP 404: no_service');
    await recordOccurrences(db.engine, PROJECT, [occurrence('di', '2031-03-16')], playbooks, T0);
    const none = await dispatchDue(db.engine, {
      projectId: PROJECT,
      playbooks,
      now: new Date(T0.getTime() + 3000),
      env: {},
      random: () => 0.5,
    });
    expect(none).toMatchObject({ due: 1, dead: 1 });
    const [dead] = await deliveryLog(db.engine, PROJECT, { subjectId: 'di' });
    expect(dead?.last_error).toBe('the environment variable SLACK_URL (url_env) is not set');
  });
  it('records what Slack said: gives up on 400, 403, 404 and 410, retries 429 and 5xx', async () => {
    received.length = 0;
    const said = [
      { status: 404, body: 'no_service', outcome: 'dead' },
      { status: 410, body: 'channel_is_archived', outcome: 'dead' },
      { status: 403, body: 'action_prohibited', outcome: 'dead' },
      { status: 400, body: 'invalid_payload', outcome: 'dead' },
      { status: 429, body: 'too_many_requests', outcome: 'retry', retryAfter: '600' },
      { status: 500, body: 'rollup_error', outcome: 'retry' },
      // A long body is cut (the channel reads 200 bytes of it), and on one line.
      { status: 502, body: `bad\r\ngateway ${'x'.repeat(100_000)}`, outcome: 'retry' },
    ];
    const subjects = said.map((_, i) => `s${i}`);
    await recordOccurrences(
      db.engine,
      PROJECT,
      subjects.map((s) => occurrence(s, '2031-04-06')),
      playbooks,
      T0,
    );
    // One at a time, so the answers go to the deliveries in the order they are due.
    for (const [i, reply] of said.entries()) {
      replies.push(reply);
      const r = await dispatchDue(db.engine, {
        projectId: PROJECT,
        playbooks,
        now: new Date(T0.getTime() + 10_000),
        env: { SLACK_URL: `${base}/hook` },
        random: () => 0.5,
        limit: 1,
      });
      expect({ i, ...r }).toMatchObject({ i, due: 1, sent: 0 });
    }
    expect(replies).toEqual([]);
    const log = await deliveryLog(db.engine, PROJECT, { withAttempts: true });
    // Each answer went to the delivery whose body it answered.
    const answered = said.map((_, i) => log.find((d) => d.payload === received[i]?.body));
    expect(answered.map((d) => d?.subject_id).sort()).toEqual(subjects);
    for (const [i, reply] of said.entries()) {
      const d = answered[i];
      const [attempt] = d?.attempt_log ?? [];
      expect({
        i,
        status: d?.status,
        outcome: attempt?.outcome,
        code: attempt?.status_code,
      }).toEqual({
        i,
        status: reply.outcome === 'dead' ? 'dead' : 'queued',
        outcome: reply.outcome,
        code: reply.status,
      });
      if (i < 6) {
        const head =
          reply.outcome === 'dead' ? `refused with HTTP ${reply.status}` : `HTTP ${reply.status}`;
        expect(attempt?.error).toBe(`${head}: ${reply.body}`);
        expect(d?.last_error).toBe(`${head}: ${reply.body}`);
      }
    }
    const long = answered[6]?.last_error ?? '';
    expect(long.startsWith('HTTP 502: bad gateway xxx')).toBe(true);
    expect(long.length).toBeLessThanOrEqual('HTTP 502: '.length + 200);
    // The 429's Retry-After (10 minutes) is longer than the first backoff, and honoured.
    const limited = answered[4];
    expect(
      Date.parse(limited?.next_attempt_at ?? '') - (T0.getTime() + 10_000),
    ).toBeGreaterThanOrEqual(600_000);
  });
});
