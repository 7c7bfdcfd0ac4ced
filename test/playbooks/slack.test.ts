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
const statuses: number[] = [];
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
    res.statusCode = statuses.shift() ?? 200;
    res.end('ok');
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
    statuses.push(503, 404);
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
    expect(log[0]?.last_error).toBe('refused with HTTP 404');
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
});
