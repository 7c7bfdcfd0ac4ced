import { describe, expect, it } from 'vitest';
import { normalizePostHog, type PostHogContext } from './normalize-posthog.js';

const RECEIVED = new Date('2026-11-24T12:00:00.000Z');
const ctx = (extra: Partial<PostHogContext> = {}): PostHogContext => ({
  projectId: 'p',
  source: 'posthog',
  receivedAt: RECEIVED,
  newId: () => 'server-id',
  ...extra,
});
const kindOf = (m: unknown, c = ctx()) => {
  const r = normalizePostHog(m, c);
  return r.ok ? r.record : r.reason;
};

describe('normalizePostHog', () => {
  it('capture: distinct_id as user, $groups as account, uuid as message id, sent_at skew', () => {
    expect(
      kindOf(
        {
          event: 'report exported',
          distinct_id: 7,
          uuid: 'u-1',
          timestamp: '2026-11-24T12:55:00Z',
          properties: { $groups: { project: 'x', company: 'acme' }, format: 'pdf' },
        },
        ctx({ sentAt: '2026-11-24T13:00:00Z' }),
      ),
    ).toMatchObject({
      kind: 'event',
      message_id: 'u-1',
      user_id: '7',
      account_id: 'acme',
      timestamp: '2026-11-24T11:55:00.000Z',
      timestamp_flag: 'skew_corrected',
    });
  });

  it('falls back to offset, then the receive time', () => {
    expect(kindOf({ event: 'x', distinct_id: 'd', offset: 60_000 })).toMatchObject({
      timestamp: '2026-11-24T11:59:00.000Z',
    });
    expect(kindOf({ event: 'x', distinct_id: 'd' })).toMatchObject({
      timestamp: RECEIVED.toISOString(),
      timestamp_flag: 'missing',
      message_id: 'server-id',
    });
  });

  it('reads $identify, $create_alias and $groupidentify as identify, alias and group', () => {
    expect(
      kindOf({
        event: '$identify',
        distinct_id: 'u1',
        properties: { $set: { email: 'a@b.c' }, $anon_distinct_id: 'anon-1' },
      }),
    ).toMatchObject({
      kind: 'identify',
      user_id: 'u1',
      anonymous_id: 'anon-1',
      traits: { email: 'a@b.c' },
    });
    expect(
      kindOf({ event: '$create_alias', distinct_id: 'u1', properties: { alias: 'anon-2' } }),
    ).toMatchObject({ kind: 'alias', user_id: 'u1', previous_id: 'anon-2' });
    expect(
      kindOf({
        event: '$groupidentify',
        distinct_id: '$company_acme',
        properties: { $group_type: 'company', $group_key: 'acme', $group_set: { name: 'Acme' } },
      }),
    ).toMatchObject({ kind: 'group', account_id: 'acme', user_id: null, traits: { name: 'Acme' } });
  });

  it('rejects with a reason what cannot be stored', () => {
    expect([
      kindOf([]),
      kindOf({ distinct_id: 'd' }),
      kindOf({ event: 'x' }),
      kindOf({ event: '$create_alias', distinct_id: 'u1' }),
      kindOf({ event: '$groupidentify', properties: {} }),
    ]).toEqual([
      'not a JSON object',
      'event needs a non-empty "event" name',
      'x needs a distinct_id',
      '$create_alias needs properties.alias',
      '$groupidentify needs properties.$group_key',
    ]);
  });
});
