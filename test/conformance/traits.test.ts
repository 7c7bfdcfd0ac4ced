import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAccountTraits, readUserTraits } from '../../src/analysis/explain-traits.js';
import { ENGINES, type EngineName, type OpenEngine, openEngine } from '../helpers/engines.js';

/**
 * User and account traits read the same on every engine (issue 14): identify calls under the
 * user's id or an id linked to them, group calls per account, each trait at its latest non-empty
 * value whatever its spelling's case, repeated calls read once.
 */
const open = new Map<EngineName, OpenEngine>();
let n = 0;

const record = (ts: string, fields: Record<string, string | null>, traits: unknown) => {
  n += 1;
  return {
    project_id: 'p1',
    message_id: `r${n}`,
    timestamp: ts,
    user_id: null,
    anonymous_id: null,
    ...fields,
    traits: JSON.stringify(traits),
    received_at: ts,
    source: 'test',
  };
};

beforeAll(async () => {
  for (const name of ENGINES) {
    const e = await openEngine(name);
    open.set(name, e);
    await e.engine.insert('identifies', [
      record('2026-03-01 10:00:00.000', { anonymous_id: 'anon-1' }, { email: 'old@a.test' }),
      record('2026-03-02 10:00:00.000', { user_id: 'u1' }, { Email: 'ada@a.test', plan: 'x' }),
      // A later call without the e-mail keeps it; a blank name is no name.
      record('2026-03-03 10:00:00.000', { user_id: 'u1' }, { first_name: 'Ada', name: ' ' }),
      record('2026-03-03 10:00:00.000', { user_id: 'u1' }, { first_name: 'Ada', name: ' ' }),
      record('2026-03-04 10:00:00.000', { user_id: 'u1' }, { last_name: 'Lovelace' }),
      record('2026-03-04 10:00:00.000', { user_id: 'u2' }, { email: 'someone@else.test' }),
      record('2026-03-04 10:00:00.000', { user_id: 'p9' }, { email: 'other@project.test' }),
    ]);
    await e.engine.insert('identity_map', [
      { project_id: 'p1', alias_id: 'anon-1', user_id: 'u1' },
    ]);
    await e.engine.insert('group_memberships', [
      record(
        '2026-03-01 10:00:00.000',
        { user_id: 'u1', account_id: 'acme' },
        {
          name: 'Acme',
          Seats: '12',
          plan: 'Starter',
        },
      ),
      record(
        '2026-03-05 10:00:00.000',
        { user_id: 'u2', account_id: 'acme' },
        {
          plan: 'Pro',
          monthly_revenue: 1200.5,
          CSM: 'Dana',
        },
      ),
      record('2026-03-05 10:00:00.000', { user_id: 'u2', account_id: 'beta' }, { employees: 40 }),
    ]);
  }
}, 120_000);
afterAll(async () => {
  for (const e of open.values()) await e.close();
});

describe.skipIf(ENGINES.length === 0)(`traits on ${ENGINES.join(' and ')}`, () => {
  it('merge identify and group calls per user and account', async () => {
    const answers = [];
    for (const e of open.values()) {
      const users = await readUserTraits(e.engine, 'p1', ['u1', 'u3']);
      const accounts = await readAccountTraits(e.engine, 'p1', ['acme', 'beta', 'gamma']);
      answers.push({
        users: Object.fromEntries(users),
        accounts: Object.fromEntries(accounts),
      });
    }
    for (const a of answers.slice(1)) expect(a).toEqual(answers[0]);
    expect(answers[0]).toEqual({
      users: {
        u1: {
          email: 'ada@a.test',
          name: 'Ada Lovelace',
          traits: { Email: 'ada@a.test', plan: 'x', first_name: 'Ada', last_name: 'Lovelace' },
        },
      },
      accounts: {
        acme: {
          name: 'Acme',
          plan: 'Pro',
          seats: 12,
          mrr: 1200.5,
          csm: 'Dana',
          traits: { name: 'Acme', Seats: '12', plan: 'Pro', monthly_revenue: 1200.5, CSM: 'Dana' },
        },
        beta: { seats: 40, traits: { employees: 40 } },
      },
    });
  });
});
