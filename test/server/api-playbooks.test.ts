import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAsOf } from '../../src/analysis/resolve-as-of.js';
import { configForProject } from '../../src/model/config.js';
import { runPlaybooks } from '../../src/playbooks/run-playbooks.js';
import { Sessions } from '../../src/server/api/sessions.js';
import { type ApiServer, startApiServer } from '../helpers/api-server.js';
import { demoProject } from '../helpers/demo-project.js';
import { openApiValidator } from '../helpers/openapi-validator.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/**
 * The playbooks API on demo data, over a real server on loopback and a real DuckDB file: the
 * list (variables' names, never their values), a playbook written into the config file and a
 * bad one refused with the key path and the near miss, the preview, the delivery log empty and
 * then after a run that sent to a real receiver, and a retry of what is not dead refused. Every
 * answer is checked against the OpenAPI document the server publishes.
 */
const SECRET_ENV = 'PL_API_PLAYBOOKS_SECRET';
const SECRET = `whsec_${Buffer.from('a secret of thirty-two bytes!!!!').toString('base64')}`;

let db: TempDb;
let server: ApiServer;
let base: string;
let readKey: string;
let receiver: WebhookReceiver<string> | undefined;
let hookUrl: string;
let check: Awaited<ReturnType<typeof openApiValidator>>;
let received: string[] = [];

async function call(method: string, path: string, body?: unknown) {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${readKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return {
    status: r.status,
    type: r.headers.get('content-type') ?? '',
    text,
    json: JSON.parse(text),
  };
}

const webhook = () => ({ webhook: { url: hookUrl, secret_env: SECRET_ENV } });

beforeAll(async () => {
  process.env[SECRET_ENV] = SECRET;
  // Signed with the secret the variable holds (Standard Webhooks' own verifier).
  receiver = await startWebhookReceiver(SECRET, ({ id }) => id);
  received = receiver.received;
  hookUrl = receiver.url;

  db = await openTempDb();
  readKey = (await demoProject(db, 7)).read_key;
  server = await startApiServer(
    db,
    [
      '# the team config',
      'project: acme',
      'playbooks:',
      '  warn_csm:',
      '    description: Tell the CSM.',
      '    trigger: { on: entered_state, state: at_risk }',
      '    actions:',
      `      - webhook: { url: "${hookUrl}", secret_env: ${SECRET_ENV} }`,
      '    limits: { cooldown_days: 14 }',
      '',
    ].join('\n'),
    new Sessions(),
  );
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  check = await openApiValidator((await call('GET', '/api/v1/openapi.json')).json);
}, 120_000);

afterAll(async () => {
  delete process.env[SECRET_ENV];
  await server?.close();
  await receiver?.close();
  await db?.cleanup();
});

describe('playbooks API', () => {
  it('lists the playbooks with their trigger in words, the variables by name only, and counts', async () => {
    const list = await call('GET', '/api/v1/playbooks');
    expect(list.status).toBe(200);
    check('/api/v1/playbooks', 'get', 200, list.json);
    expect(list.json.playbooks).toEqual([
      {
        name: 'warn_csm',
        description: 'Tell the CSM.',
        enabled: true,
        definition: null,
        trigger: { on: 'entered_state', state: 'at_risk' },
        trigger_text: 'a user enters the lifecycle state at_risk',
        filters: {},
        actions: [
          {
            channel: 'webhook',
            target_host: new URL(hookUrl).host,
            env: [{ key: 'secret_env', name: SECRET_ENV, is_set: true }],
          },
        ],
        limits: { max_per_run: 1000, cooldown_days: 14 },
        deliveries: { queued: 0, sent: 0, dead: 0 },
      },
    ]);
    // Never a secret, and never the whole URL (it may hold a token).
    expect(list.text).not.toContain(SECRET);
    expect(list.text).not.toContain('/hooks');

    const one = await call('GET', '/api/v1/playbooks/warn_csm');
    expect(one.status).toBe(200);
    check('/api/v1/playbooks/{name}', 'get', 200, one.json);
    expect(one.json.playbook).toEqual(list.json.playbooks[0]);
  });

  it('answers an unknown playbook 404 with the names there are', async () => {
    for (const path of [
      '/api/v1/playbooks/nope',
      '/api/v1/playbooks/constructor',
      '/api/v1/playbooks/nope/preview',
    ]) {
      const r = await call('GET', path);
      expect({ path, status: r.status }).toEqual({ path, status: 404 });
      expect(r.type).toMatch(/^application\/problem\+json/);
      expect(r.json.detail).toContain('the project has "warn_csm"');
    }
  });

  it('writes a valid playbook under the project in the config file, keeping its comments', async () => {
    const body = { trigger: { on: 'entered_state', state: 'emerging' }, actions: [webhook()] };
    const put = await call('PUT', '/api/v1/playbooks/nurture', body);
    expect(put.status, put.text).toBe(200);
    check('/api/v1/playbooks/{name}', 'put', 200, put.json);
    expect(put.json.playbook).toMatchObject({
      name: 'nurture',
      trigger_text: 'a user enters the lifecycle state emerging',
      limits: { max_per_run: 1000, cooldown_days: 0 },
      deliveries: { queued: 0, sent: 0, dead: 0 },
    });
    const file = readFileSync(server.configFile, 'utf8');
    expect(file).toContain('# the team config');
    expect(server.config().projects.acme?.playbooks?.nurture?.trigger).toEqual(body.trigger);
    const names = (await call('GET', '/api/v1/playbooks')).json.playbooks.map(
      (p: { name: string }) => p.name,
    );
    expect(names).toEqual(['nurture', 'warn_csm']);
  });

  it('refuses an invalid playbook with a 400 naming the key path and the near miss', async () => {
    const before = readFileSync(server.configFile, 'utf8');
    const badState = await call('PUT', '/api/v1/playbooks/bad', {
      trigger: { on: 'entered_state', state: 'at_riks' },
      actions: [webhook()],
    });
    expect(badState.status).toBe(400);
    expect(badState.type).toMatch(/^application\/problem\+json/);
    check('/api/v1/playbooks/{name}', 'put', 400, badState.json);
    expect(badState.json.title).toBe('Invalid playbook');
    expect(badState.json.errors).toEqual([
      {
        path: 'trigger.state',
        message: expect.stringContaining('"at_riks": did you mean at_risk?'),
      },
    ]);

    const badKey = await call('PUT', '/api/v1/playbooks/bad', {
      trigger: { on: 'became_power_user' },
      action: [webhook()],
    });
    expect(badKey.status).toBe(400);
    expect(badKey.json.detail).toMatch(/\(root\): .*"action": did you mean actions\?/);
    expect(badKey.json.errors.map((e: { path: string }) => e.path)).toContain('actions');

    const badEnv = await call('PUT', '/api/v1/playbooks/bad', {
      trigger: { on: 'became_power_user' },
      actions: [{ webhook: { url: hookUrl, secret_env: 'whsec_not_a_name' } }],
    });
    expect(badEnv.status).toBe(400);
    expect(badEnv.json.errors[0].path).toBe('actions.0.webhook.secret_env');

    const reserved = await call('PUT', '/api/v1/playbooks/deliveries', {
      trigger: { on: 'became_power_user' },
      actions: [webhook()],
    });
    expect(reserved.status).toBe(400);
    // Nothing written.
    expect(readFileSync(server.configFile, 'utf8')).toBe(before);
  });

  let previewed: string[] = [];

  it('previews who each playbook would reach and why, sending nothing', async () => {
    for (const name of ['warn_csm', 'nurture']) {
      const r = await call('GET', `/api/v1/playbooks/${name}/preview`);
      expect(r.status, r.text).toBe(200);
      check('/api/v1/playbooks/{name}/preview', 'get', 200, r.json);
      expect(r.json.as_of).toBe('2026-10-31');
      for (const p of r.json.people) {
        expect(p.playbook).toBe(name);
        expect(p.already_recorded).toBe(false);
        expect(p.explanation.length).toBeGreaterThan(10);
      }
      previewed = [...previewed, ...r.json.people.map((p: { subject_id: string }) => p.subject_id)];
    }
    // The demo plants users who fade and users who climb.
    expect(previewed.length).toBeGreaterThan(0);
    expect(received).toEqual([]);
    const bad = await call('GET', '/api/v1/playbooks/warn_csm/preview?as_of=2027-01-01');
    expect(bad.status).toBe(400);
    expect(bad.json.detail).toContain('after the last day with data');
  });

  it('shows an empty delivery log, then what a run sent, with the attempts', async () => {
    const empty = await call('GET', '/api/v1/playbooks/deliveries');
    expect(empty.status).toBe(200);
    check('/api/v1/playbooks/deliveries', 'get', 200, empty.json);
    expect(empty.json).toEqual({ deliveries: [] });

    const run = await runPlaybooks(db.engine, {
      projectId: 'acme',
      config: configForProject(server.config(), 'acme'),
      asOf: await resolveAsOf(db.engine, 'acme', undefined, true),
      now: new Date(),
      env: process.env,
      random: Math.random,
    });
    expect(run.dispatched).toMatchObject({ sent: previewed.length, dead: 0 });
    expect(received.length).toBe(previewed.length);

    const log = await call('GET', '/api/v1/playbooks/deliveries?attempts=true&limit=500');
    expect(log.status).toBe(200);
    check('/api/v1/playbooks/deliveries', 'get', 200, log.json);
    const deliveries = log.json.deliveries as {
      delivery_id: string;
      status: string;
      subject_id: string;
      attempts: number;
      attempt_log: { status_code: number }[];
    }[];
    expect(deliveries.map((d) => d.delivery_id).sort()).toEqual([...received].sort());
    expect(deliveries.map((d) => d.subject_id).sort()).toEqual([...previewed].sort());
    for (const d of deliveries) {
      expect(d).toMatchObject({ status: 'sent', attempts: 1 });
      expect(d.attempt_log.map((a) => a.status_code)).toEqual([200]);
    }
    const dead = await call('GET', '/api/v1/playbooks/deliveries?status=dead');
    expect(dead.json.deliveries).toEqual([]);
    const one = await call('GET', `/api/v1/playbooks/deliveries?user=${previewed[0]}`);
    expect(one.json.deliveries.length).toBeGreaterThan(0);
    expect(one.json.deliveries[0].attempt_log).toBeUndefined();

    const list = (await call('GET', '/api/v1/playbooks')).json.playbooks as {
      deliveries: { sent: number };
    }[];
    expect(list.reduce((n, p) => n + p.deliveries.sent, 0)).toBe(previewed.length);
    // A preview now marks them as reached before.
    const again = await call('GET', '/api/v1/playbooks/warn_csm/preview');
    for (const p of again.json.people) expect(p.already_recorded).toBe(true);
  });

  it('refuses to retry a delivery that is not dead, or unknown: 404', async () => {
    const sent = (await call('GET', '/api/v1/playbooks/deliveries')).json.deliveries[0];
    for (const id of ['msg_unknown', sent.delivery_id as string]) {
      const r = await call('POST', `/api/v1/playbooks/deliveries/${id}/retry`);
      expect(r.status).toBe(404);
      check('/api/v1/playbooks/deliveries/{id}/retry', 'post', 404, r.json);
      expect(r.json.detail).toContain(`no dead delivery ${id}`);
    }
  });

  it('queues a dead delivery again: its status queued, its attempts counted afresh', async () => {
    const unset = 'PL_API_PLAYBOOKS_NEVER_SET';
    for (const [name, trigger] of [
      ['risk_dead', { on: 'entered_state', state: 'at_risk' }],
      ['climb_dead', { on: 'entered_state', state: 'emerging' }],
    ] as const) {
      const put = await call('PUT', `/api/v1/playbooks/${name}`, {
        trigger,
        actions: [{ webhook: { url: hookUrl, secret_env: unset } }],
      });
      expect(put.status, put.text).toBe(200);
      expect(put.json.playbook.actions[0].env).toEqual([
        { key: 'secret_env', name: unset, is_set: false },
      ]);
      await runPlaybooks(db.engine, {
        projectId: 'acme',
        config: configForProject(server.config(), 'acme'),
        asOf: '2026-10-31',
        now: new Date(),
        only: name,
        env: process.env,
        random: Math.random,
      });
    }
    const dead = await call('GET', '/api/v1/playbooks/deliveries?status=dead&attempts=true');
    check('/api/v1/playbooks/deliveries', 'get', 200, dead.json);
    const deliveries = dead.json.deliveries as {
      delivery_id: string;
      last_error: string;
      attempt_log: unknown[];
    }[];
    expect(deliveries.length).toBe(previewed.length);
    for (const d of deliveries) {
      expect(d.last_error).toContain(unset);
      expect(d.attempt_log.length).toBe(1);
    }
    const id = deliveries[0]?.delivery_id as string;
    const retry = await call('POST', `/api/v1/playbooks/deliveries/${id}/retry`);
    expect(retry.status, retry.text).toBe(200);
    check('/api/v1/playbooks/deliveries/{id}/retry', 'post', 200, retry.json);
    expect(retry.json).toEqual({ delivery_id: id, status: 'queued' });
    const after = await call('GET', `/api/v1/playbooks/deliveries?status=queued`);
    expect(after.json.deliveries).toEqual([
      expect.objectContaining({ delivery_id: id, status: 'queued', attempts: 0 }),
    ]);
    for (const name of ['risk_dead', 'climb_dead']) {
      expect((await call('DELETE', `/api/v1/playbooks/${name}`)).status).toBe(200);
    }
  });

  it('never answers 5xx on odd input to the routes of a playbook that exists', async () => {
    const odd = [
      '',
      '2026-02-30',
      '1970-01-01',
      '2199-12-31',
      '9999-12-31',
      '%ZZ',
      'x'.repeat(3000),
    ];
    const paths = [
      ...odd.map((v) => `/api/v1/playbooks/warn_csm/preview?as_of=${encodeURIComponent(v)}`),
      '/api/v1/playbooks/warn_csm/preview?as_of=2026-10-01&as_of=2026-10-02',
      '/api/v1/playbooks/deliveries?limit=0',
      '/api/v1/playbooks/deliveries?status=gone',
      '/api/v1/playbooks/deliveries?playbook=__proto__&user=%00',
      '/api/v1/playbooks/Warn_CSM',
    ];
    for (const path of paths) {
      const r = await call('GET', path);
      expect({ path, status: r.status }).toEqual({ path, status: expect.any(Number) });
      expect(r.status, `${path}: ${r.text}`).toBeLessThan(500);
    }
    for (const body of ['null', '[]', '"x"', '{"trigger":null,"actions":"x","__proto__":{}}']) {
      const r = await fetch(`${base}/api/v1/playbooks/odd`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${readKey}`, 'content-type': 'application/json' },
        body,
      });
      expect(r.status, body).toBe(400);
    }
  });

  it("deletes the project's own playbook; a shared one is refused (409), an unknown one 404", async () => {
    const del = await call('DELETE', '/api/v1/playbooks/nurture');
    expect(del.status, del.text).toBe(200);
    check('/api/v1/playbooks/{name}', 'delete', 200, del.json);
    expect(del.json).toEqual({ deleted: 'nurture', now_in_force: null });
    expect(readFileSync(server.configFile, 'utf8')).not.toContain('nurture');
    expect((await call('DELETE', '/api/v1/playbooks/warn_csm')).status).toBe(409);
    expect((await call('DELETE', '/api/v1/playbooks/nurture')).status).toBe(404);
  });
  it('runs a playbook through the API: records and queues, then sends what is due, then nothing new', async () => {
    // Emerging: the demo plants users who climb.
    const body = { trigger: { on: 'entered_state', state: 'emerging' }, actions: [webhook()] };
    expect((await call('PUT', '/api/v1/playbooks/api_run', body)).status).toBe(200);
    const people = (await call('GET', '/api/v1/playbooks/api_run/preview')).json.people as {
      subject_id: string;
    }[];
    expect(people.length).toBeGreaterThan(0);
    const queuedBefore = (await call('GET', '/api/v1/playbooks/deliveries?status=queued')).json
      .deliveries.length as number;
    const before = received.length;

    const queued = await call('POST', '/api/v1/playbooks/run?name=api_run&send=false');
    expect(queued.status, queued.text).toBe(200);
    check('/api/v1/playbooks/run', 'post', 200, queued.json);
    expect(queued.json).toMatchObject({
      as_of: '2026-10-31',
      fired: { api_run: people.length },
      recorded: { recorded: people.length, queued: people.length, skipped: 0 },
      dispatched: null,
    });
    expect(received.length).toBe(before);

    const sent = await call('POST', '/api/v1/playbooks/run?name=api_run');
    expect(sent.status, sent.text).toBe(200);
    check('/api/v1/playbooks/run', 'post', 200, sent.json);
    expect(sent.json.recorded).toMatchObject({ recorded: 0, already: people.length });
    expect(sent.json.dispatched).toMatchObject({
      due: people.length + queuedBefore,
      sent: people.length,
    });
    const log = (await call('GET', '/api/v1/playbooks/deliveries?playbook=api_run&limit=500')).json
      .deliveries as { delivery_id: string; status: string; subject_id: string }[];
    expect(log.map((d) => d.status)).toEqual(people.map(() => 'sent'));
    expect(log.map((d) => d.subject_id).sort()).toEqual(people.map((p) => p.subject_id).sort());
    expect(received.slice(before).sort()).toEqual(log.map((d) => d.delivery_id).sort());

    // Every enabled playbook, again: nothing new fires, nothing is sent.
    const again = await call('POST', '/api/v1/playbooks/run');
    expect(again.status, again.text).toBe(200);
    check('/api/v1/playbooks/run', 'post', 200, again.json);
    expect(Object.keys(again.json.fired).sort()).toEqual(['api_run', 'warn_csm']);
    expect(again.json.recorded.recorded).toBe(0);
    expect(again.json.dispatched).toMatchObject({ due: 0, sent: 0 });
    expect(received.length).toBe(before + people.length);

    const unknown = await call('POST', '/api/v1/playbooks/run?name=nope');
    expect(unknown.status).toBe(404);
    check('/api/v1/playbooks/run', 'post', 404, unknown.json);
    expect(unknown.json.detail).toContain('"api_run"');
  });

  it('tests a playbook through the API: one signed sample per action, nothing recorded', async () => {
    const before = received.length;
    const logBefore = (await call('GET', '/api/v1/playbooks/deliveries?limit=500')).json.deliveries;
    const r = await call('POST', '/api/v1/playbooks/api_run/test');
    expect(r.status, r.text).toBe(200);
    check('/api/v1/playbooks/{name}/test', 'post', 200, r.json);
    const preview = (await call('GET', '/api/v1/playbooks/api_run/preview')).json.people as {
      subject_id: string;
    }[];
    expect(r.json).toMatchObject({ playbook: 'api_run', as_of: '2026-10-31' });
    expect(r.json.sends).toEqual([
      {
        action_index: 0,
        channel: 'webhook',
        delivery_id: expect.stringMatching(/^msg_test_/),
        subject_id: preview[0]?.subject_id,
        sample: false,
        ok: true,
        status_code: 200,
        error: null,
      },
    ]);
    // The receiver verified its signature and saw the sample's id.
    expect(received.slice(before)).toEqual([r.json.sends[0].delivery_id]);
    const logAfter = (await call('GET', '/api/v1/playbooks/deliveries?limit=500')).json.deliveries;
    expect(logAfter).toEqual(logBefore);

    // A secret not set: the sample fails, naming the variable; nothing is sent.
    const unset = 'PL_API_PLAYBOOKS_TEST_UNSET';
    const put = await call('PUT', '/api/v1/playbooks/api_unset', {
      trigger: { on: 'entered_state', state: 'emerging' },
      actions: [{ webhook: { url: hookUrl, secret_env: unset } }],
    });
    expect(put.status).toBe(200);
    const bad = await call('POST', '/api/v1/playbooks/api_unset/test');
    expect(bad.status, bad.text).toBe(200);
    check('/api/v1/playbooks/{name}/test', 'post', 200, bad.json);
    expect(bad.json.sends).toEqual([
      expect.objectContaining({
        ok: false,
        status_code: null,
        error: expect.stringContaining(unset),
      }),
    ]);
    expect(received.length).toBe(before + 1);

    // Odd input: a 4xx, never a 5xx, and nothing sent.
    for (const path of [
      '/api/v1/playbooks/run?name=__proto__',
      '/api/v1/playbooks/run?name=constructor&send=false',
      '/api/v1/playbooks/run?send=maybe',
      '/api/v1/playbooks/run?as_of=2026-02-30&send=false',
      '/api/v1/playbooks/run?as_of=2199-12-31&send=false',
      '/api/v1/playbooks/__proto__/test',
      '/api/v1/playbooks/api_run/test?as_of=%ZZ',
      '/api/v1/playbooks/api_run/test?as_of=1970-01-01',
    ]) {
      const r = await call('POST', path);
      expect({ path, status: r.status }).toEqual({ path, status: expect.any(Number) });
      expect(r.status, `${path}: ${r.text}`).toBeGreaterThanOrEqual(400);
      expect(r.status, `${path}: ${r.text}`).toBeLessThan(500);
    }
    expect(received.length).toBe(before + 1);

    const unknown = await call('POST', '/api/v1/playbooks/nope/test');
    expect(unknown.status).toBe(404);
    check('/api/v1/playbooks/{name}/test', 'post', 404, unknown.json);
    for (const name of ['api_run', 'api_unset']) {
      expect((await call('DELETE', `/api/v1/playbooks/${name}`)).status).toBe(200);
    }
  });
});
