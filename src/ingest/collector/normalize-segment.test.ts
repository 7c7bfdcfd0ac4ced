import { describe, expect, it } from 'vitest';
import type { LogRecord } from './log-record.js';
import { normalizeSegment, type SegmentContext } from './normalize-segment.js';
import { resolveTimestamp } from './resolve-timestamp.js';

const RECEIVED = new Date('2026-11-24T12:00:00.000Z');
const ctx = (extra: Partial<SegmentContext> = {}): SegmentContext => ({
  projectId: 'p',
  source: 'segment',
  receivedAt: RECEIVED,
  newId: () => 'server-id',
  ...extra,
});

describe('resolveTimestamp', () => {
  it('cancels the client clock error with sentAt', () => {
    // The client clock is 1 hour fast: it says sent 13:00 for an event at 12:55 (its clock).
    expect(resolveTimestamp('2026-11-24T12:55:00Z', '2026-11-24T13:00:00Z', RECEIVED)).toEqual({
      timestamp: '2026-11-24T11:55:00.000Z',
      flag: 'skew_corrected',
    });
    expect(resolveTimestamp('2026-11-24T11:00:00Z', undefined, RECEIVED)).toEqual({
      timestamp: '2026-11-24T11:00:00.000Z',
    });
  });

  it('reads ISO 8601 strictly: no zone is UTC (never the server’s zone), offsets with or without a colon, epoch ms', () => {
    const t = (v: unknown) => resolveTimestamp(v, undefined, RECEIVED).timestamp;
    const day = RECEIVED.toISOString().slice(0, 10);
    expect(t(`${day}T05:00:00`)).toBe(`${day}T05:00:00.000Z`);
    expect(t(`${day} 05:00:00.123456`)).toBe(`${day}T05:00:00.123Z`);
    expect(t(`${day}T05:00:00+0130`)).toBe(`${day}T03:30:00.000Z`);
    expect(t(`${day}T05:00:00-01:00`)).toBe(`${day}T06:00:00.000Z`);
    expect(t(Date.parse(`${day}T05:00:00Z`))).toBe(`${day}T05:00:00.000Z`);
  });

  it('falls back to the receive time, flagged, never drops', () => {
    const at = RECEIVED.toISOString();
    expect(resolveTimestamp(undefined, undefined, RECEIVED)).toEqual({
      timestamp: at,
      flag: 'missing',
    });
    expect(resolveTimestamp('yesterday', undefined, RECEIVED)).toEqual({
      timestamp: at,
      flag: 'unparseable',
    });
    // Numbers are epoch milliseconds: epoch seconds land in 1970, absurd.
    expect(resolveTimestamp(1700000000, undefined, RECEIVED)).toEqual({
      timestamp: at,
      flag: 'absurd',
    });
    // Date.parse would read these as dates in 2001.
    for (const loose of ['1', 'March 7', '7/3/2026']) {
      expect(resolveTimestamp(loose, undefined, RECEIVED)).toEqual({
        timestamp: at,
        flag: 'unparseable',
      });
    }
    expect(resolveTimestamp(1e20, undefined, RECEIVED).flag).toBe('absurd');
    expect(resolveTimestamp('1970-01-01T00:00:00Z', undefined, RECEIVED)).toEqual({
      timestamp: at,
      flag: 'absurd',
    });
    expect(resolveTimestamp('2027-11-24T00:00:00Z', undefined, RECEIVED)).toEqual({
      timestamp: at,
      flag: 'absurd',
    });
  });
});

describe('normalizeSegment', () => {
  it('track: user, account from context.groupId, properties, context merged under the message', () => {
    const r = normalizeSegment(
      {
        type: 'track',
        event: 'Report Exported',
        userId: 42,
        messageId: 'm1',
        timestamp: '2026-11-24T11:00:00Z',
        properties: { format: 'pdf' },
        context: { groupId: 'acme', ip: '1.2.3.4' },
      },
      ctx({ context: { library: { name: 'x' }, ip: 'batch-level' } }),
    );
    expect(r).toEqual({
      ok: true,
      record: {
        kind: 'event',
        project_id: 'p',
        message_id: 'm1',
        timestamp: '2026-11-24T11:00:00.000Z',
        received_at: '2026-11-24T12:00:00.000Z',
        source: 'segment',
        user_id: '42',
        anonymous_id: null,
        account_id: 'acme',
        event: 'Report Exported',
        properties: {
          format: 'pdf',
          $context: { library: { name: 'x' }, ip: '1.2.3.4', groupId: 'acme' },
        },
      },
    });
  });

  it('identify, group, alias, page and screen become their records; ids are assigned when absent', () => {
    const kinds = [
      { type: 'identify', userId: 'u', traits: { email: 'a@b.c' } },
      { type: 'group', userId: 'u', groupId: 'acme', traits: { plan: 'pro' } },
      { type: 'alias', userId: 'u', previousId: 'anon-1' },
      { type: 'page', anonymousId: 'anon-1', name: 'Pricing' },
      { type: 'screen', userId: 'u' },
    ].map((m) => normalizeSegment(m, ctx()));
    const idOf = (r: LogRecord) => (r.kind === 'failed' ? null : r.message_id);
    expect(kinds.map((k) => (k.ok ? [k.record.kind, idOf(k.record)] : k.reason))).toEqual([
      ['identify', 'server-id'],
      ['group', 'server-id'],
      ['alias', 'server-id'],
      ['event', 'server-id'],
      ['event', 'server-id'],
    ]);
    const page = kinds[3];
    expect(
      page?.ok && page.record.kind === 'event' && [page.record.event, page.record.properties],
    ).toEqual(['page_viewed', { name: 'Pricing' }]);
  });

  it('rejects with a reason what cannot be stored', () => {
    const reasons = [
      'not an object',
      { type: 'track', userId: 'u' },
      { type: 'track', event: ' ', userId: 'u' },
      { type: 'track', event: 'x' },
      { type: 'group', userId: 'u' },
      { type: 'alias', userId: 'u' },
      { type: 'purchase', userId: 'u' },
    ].map((m) => {
      const r = normalizeSegment(m, ctx());
      return r.ok ? 'accepted' : r.reason;
    });
    expect(reasons).toEqual([
      'not a JSON object',
      'track needs a non-empty event name',
      'track needs a non-empty event name',
      'track needs userId or anonymousId',
      'group needs groupId',
      'alias needs userId and previousId',
      'type "purchase" is not one of track, identify, group, page, screen, alias',
    ]);
  });

  it('takes the type from the route, and repairs lone surrogates to U+FFFD', () => {
    const r = normalizeSegment({ event: 'caf\ud800', userId: 'u\udfff' }, ctx({ type: 'track' }));
    expect(r.ok && r.record.kind === 'event' && [r.record.event, r.record.user_id]).toEqual([
      'caf\ufffd',
      'u\ufffd',
    ]);
  });
});
