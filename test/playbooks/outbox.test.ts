import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickhouse } from '../../src/dialect/clickhouse.js';
import type { Engine } from '../../src/engines/engine.js';
import { dispatchDue } from '../../src/playbooks/dispatcher.js';
import type { Occurrence } from '../../src/playbooks/occurrence.js';
import { deliveryId, deliveryLog, recordOccurrences } from '../../src/playbooks/outbox.js';
import { sampleOccurrence, webhookPlaybook } from '../helpers/outbox-fixture.js';
import { openTempDb, type TempDb } from '../helpers/temp-db.js';

/*
 * Recording occurrences in the outbox, on a real DuckDB file: each once, its deliveries queued
 * with it in one transaction, within max_per_run and cooldown_days. Sending them is
 * dispatcher.test.ts's. Time is driven by the `now` handed to the outbox.
 */

let db: TempDb;
beforeAll(async () => {
  db = await openTempDb();
});
afterAll(async () => {
  await db.cleanup();
});

// Nothing is sent here: the URLs only go into the queued payloads.
const playbook = (paths: string[], extra: { limits?: object } = {}) =>
  webhookPlaybook('http://127.0.0.1:9', paths, extra);
const occurrence = sampleOccurrence;
const T0 = new Date();
const at = (ms: number) => new Date(T0.getTime() + ms);
const ENV = { HOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' };

describe('recordOccurrences', () => {
  it('records an occurrence once and queues one delivery per action, with stable ids', async () => {
    const books = { welcome: playbook(['/a1', '/a2']), other: playbook(['/b']) };
    const occs = [
      occurrence('p_rec', 'welcome', 'u1'),
      occurrence('p_rec', 'welcome', 'u2'),
      occurrence('p_rec', 'other', 'u1'),
    ];
    const first = await recordOccurrences(db.engine, 'p_rec', occs, books, T0, {
      baseUrl: 'https://lens.example.com/',
    });
    expect(first).toMatchObject({ recorded: 3, skipped: 0, queued: 5 });
    const again = await recordOccurrences(db.engine, 'p_rec', occs, books, at(60_000));
    expect(again).toMatchObject({ recorded: 0, skipped: 3, already: 3, queued: 0 });

    const log = await deliveryLog(db.engine, 'p_rec', { limit: 100 });
    expect(log).toHaveLength(5);
    const first0 = occs[0] as Occurrence;
    const ids = log.map((r) => r.delivery_id).sort();
    expect(new Set(ids).size).toBe(5);
    for (const id of ids) expect(id).toMatch(/^msg_[0-9a-z]{26}$/);
    expect(ids).toContain(deliveryId(first0.occurrence_id, 0));
    expect(ids).toContain(deliveryId(first0.occurrence_id, 1));
    expect(deliveryId(first0.occurrence_id, 0)).toBe(deliveryId(first0.occurrence_id, 0));
    const entry = log.find((r) => r.delivery_id === deliveryId(first0.occurrence_id, 1));
    expect(entry).toMatchObject({
      status: 'queued',
      attempts: 0,
      action_index: 1,
      subject_id: 'u1',
      period_start: '2031-03-02',
      next_attempt_at: T0.toISOString(),
    });
    expect(JSON.parse(entry?.payload ?? '')).toEqual({
      type: 'playbook.fired',
      playbook: 'welcome',
      trigger: 'became_power_user',
      occurrence_id: first0.occurrence_id,
      subject: { type: 'user', id: 'u1', account_id: 'acct_u1' },
      period_start: '2031-03-02',
      explanation: 'u1 became a power user',
      data: { score: 91.5, state: 'power', segments: ['advocate'] },
      link: 'https://lens.example.com/#/users/u1',
    });
  });

  it('keeps a playbook to max_per_run, the rest recorded by the next run', async () => {
    const books = { capped: playbook(['/c'], { limits: { max_per_run: 2 } }) };
    const occs = ['u1', 'u2', 'u3'].map((u) => occurrence('p_cap', 'capped', u));
    expect(await recordOccurrences(db.engine, 'p_cap', occs, books, T0)).toMatchObject({
      recorded: 2,
      over_limit: 1,
      queued: 2,
    });
    expect(await recordOccurrences(db.engine, 'p_cap', occs, books, T0)).toMatchObject({
      recorded: 1,
      already: 2,
      queued: 1,
    });
  });

  it('fires for a subject again only after cooldown_days', async () => {
    const books = { cool: playbook(['/c'], { limits: { cooldown_days: 7 } }) };
    const day = 86_400_000;
    const p1 = [occurrence('p_cool', 'cool', 'u1', '2031-03-02')];
    expect(await recordOccurrences(db.engine, 'p_cool', p1, books, T0)).toMatchObject({
      recorded: 1,
    });
    // Two occurrences of one subject in one run: the cooldown holds within the run too.
    const twice = [
      occurrence('p_cool', 'cool', 'u2', '2031-03-09'),
      occurrence('p_cool', 'cool', 'u2', '2031-03-16'),
    ];
    expect(await recordOccurrences(db.engine, 'p_cool', twice, books, T0)).toMatchObject({
      recorded: 1,
      cooldown: 1,
    });
    const p2 = [occurrence('p_cool', 'cool', 'u1', '2031-03-09')];
    expect(await recordOccurrences(db.engine, 'p_cool', p2, books, at(3 * day))).toMatchObject({
      recorded: 0,
      cooldown: 1,
      queued: 0,
    });
    expect(await recordOccurrences(db.engine, 'p_cool', p2, books, at(8 * day))).toMatchObject({
      recorded: 1,
      queued: 1,
    });
  });

  it('records nothing when one write fails: occurrences and deliveries land together', async () => {
    const books = { atomic: playbook(['/x']) };
    const good = occurrence('p_atomic', 'atomic', 'u1');
    const bad = { ...occurrence('p_atomic', 'atomic', 'u2'), period_start: 'not a day' };
    await expect(
      recordOccurrences(db.engine, 'p_atomic', [good, bad], books, T0),
    ).rejects.toThrow();
    expect(await deliveryLog(db.engine, 'p_atomic')).toEqual([]);
    expect(await recordOccurrences(db.engine, 'p_atomic', [good], books, T0)).toMatchObject({
      recorded: 1,
      queued: 1,
    });
  });
});

describe('engines', () => {
  it('refuses an engine without transactions (ClickHouse keeps its schema without an outbox)', async () => {
    const noTransactions = { dialect: clickhouse } as unknown as Engine;
    const books = { b: playbook(['/none']) };
    await expect(
      recordOccurrences(noTransactions, 'p', [occurrence('p', 'b', 'u1')], books, T0),
    ).rejects.toThrow(/DuckDB only/);
    await expect(
      dispatchDue(noTransactions, {
        projectId: 'p',
        playbooks: books,
        now: T0,
        env: ENV,
        random: Math.random,
      }),
    ).rejects.toThrow(/DuckDB only/);
  });
});
