import { describe, expect, it } from 'vitest';
import { duckdb } from '../dialect/duckdb.js';
import type { SqlParams } from '../dialect/sql-value.js';
import {
  compileAttempts,
  compileClaimDelivery,
  compileDeliveryLog,
  compileDueDeliveries,
  compileInsertAttempt,
  compileInsertDelivery,
  compileInsertOccurrence,
  compileMarkDead,
  compileMarkRetry,
  compileMarkSent,
  compileRecordedOccurrences,
  compileRetryDead,
  compileSubjectsFiredSince,
} from './compile-outbox.js';

/*
 * Golden SQL of the outbox (as golden-sql.test.ts for the other compilers): the exact text each
 * compiler writes, pinned in __golden__/outbox-*.sql. After an intended change:
 *   npx vitest run src/sql/compile-outbox.test.ts --update
 * and review the diff like code. Every value that comes from a playbook, an occurrence or a
 * receiver must reach the engine as a bound parameter, never as SQL text.
 */

const golden = (name: string) => `./__golden__/outbox-${name}.sql`;

const P = "proj_'outbox_q7";
const OCC = "occ_'7f3a";
const ID = "msg_'x9y8";
const BOOK = "o'brien_book";
const SUBJECT = "user_';DROP";
const NOW = '2031-07-19T10:00:00.000Z';
const LATER = '2031-07-19T10:05:00.000Z';
const ERR = "HTTP 500 'boom'";
const PAYLOAD = '{"type":"playbook.fired","x":"\'"}';
const VALUES = [P, OCC, ID, BOOK, SUBJECT, NOW, LATER, ERR, PAYLOAD];

function onlyParams(sql: string, params: SqlParams, expected: readonly unknown[]): void {
  for (const v of VALUES) expect(sql, `"${v}" in SQL text`).not.toContain(v);
  const bound = Object.values(params).flatMap((v) => (Array.isArray(v) ? v : [v]));
  for (const v of expected) expect(bound, `${String(v)} not bound`).toContain(v);
}

describe('compile-outbox', () => {
  it('records occurrences and queues deliveries, skipping what is there', async () => {
    const recorded = compileRecordedOccurrences(duckdb, P, [OCC]);
    const cooling = compileSubjectsFiredSince(duckdb, P, BOOK, NOW, [SUBJECT]);
    const occ = compileInsertOccurrence(duckdb, {
      project_id: P,
      occurrence_id: OCC,
      playbook: BOOK,
      trigger: 'became_power_user',
      subject_type: 'user',
      subject_id: SUBJECT,
      account_id: 'acct',
      period_start: '2031-07-14',
      explanation: "it's so",
      data: PAYLOAD,
      fired_at: NOW,
    });
    const delivery = compileInsertDelivery(duckdb, {
      delivery_id: ID,
      occurrence_id: OCC,
      project_id: P,
      playbook: BOOK,
      action_index: 0,
      channel: 'webhook',
      payload: PAYLOAD,
      created_at: NOW,
    });
    onlyParams(recorded.sql, recorded.params, [P, OCC]);
    onlyParams(cooling.sql, cooling.params, [P, BOOK, NOW, SUBJECT]);
    onlyParams(occ.sql, occ.params, [P, OCC, BOOK, SUBJECT, NOW, PAYLOAD]);
    onlyParams(delivery.sql, delivery.params, [ID, OCC, P, BOOK, PAYLOAD, NOW]);
    await expect(
      [recorded.sql, cooling.sql, occ.sql, delivery.sql].join(';\n\n'),
    ).toMatchFileSnapshot(golden('record'));
  });

  it('takes due deliveries, records attempts and their outcome', async () => {
    const parts = [
      compileDueDeliveries(duckdb, P, NOW, 1000),
      compileClaimDelivery(duckdb, { id: ID, attempts: 2, now: NOW, leaseUntil: LATER }),
      compileInsertAttempt(duckdb, {
        delivery_id: ID,
        attempt: 1,
        started_at: NOW,
        finished_at: LATER,
        status_code: 500,
        latency_ms: 12,
        outcome: 'retry',
        error: ERR,
      }),
      compileMarkSent(duckdb, ID, LATER),
      compileMarkRetry(duckdb, ID, LATER, ERR),
      compileMarkDead(duckdb, ID, ERR),
      compileRetryDead(duckdb, P, ID, NOW),
    ];
    for (const c of parts) onlyParams(c.sql, c.params, []);
    onlyParams(parts[1]?.sql ?? '', parts[1]?.params ?? {}, [ID, NOW, LATER]);
    onlyParams(parts[4]?.sql ?? '', parts[4]?.params ?? {}, [ID, LATER, ERR]);
    await expect(parts.map((c) => c.sql).join(';\n\n')).toMatchFileSnapshot(golden('dispatch'));
  });

  it('reads the log, narrowed by each filter', async () => {
    const all = compileDeliveryLog(duckdb, { projectId: P, limit: 100 });
    const narrow = compileDeliveryLog(duckdb, {
      projectId: P,
      playbook: BOOK,
      status: 'dead',
      subjectId: SUBJECT,
      occurrenceId: OCC,
      deliveryId: ID,
      limit: 10,
    });
    const attempts = compileAttempts(duckdb, P, [ID]);
    onlyParams(narrow.sql, narrow.params, [P, BOOK, 'dead', SUBJECT, OCC, ID]);
    onlyParams(attempts.sql, attempts.params, [P, ID]);
    await expect([all.sql, narrow.sql, attempts.sql].join(';\n\n')).toMatchFileSnapshot(
      golden('log'),
    );
  });
});
