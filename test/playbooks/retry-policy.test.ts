import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  decideRetry,
  RETRY_POLICY,
  retryAfterMs,
} from '../../src/playbooks/retry-policy.js';

const NOW = new Date('2031-03-04T10:00:00Z');
const low = () => 0;
const high = () => 0.999999;
const opts = (random = low) => ({ now: NOW, random });
const response = (status: number, retryAfter?: string) =>
  ({ kind: 'response', status, retryAfter }) as const;

describe('decideRetry', () => {
  it('SMTP: 2xx is sent, 4xx is tried again, 5xx is dead at once', () => {
    const smtp = (code: number) => ({ kind: 'smtp', code, message: 'reply' }) as const;
    expect(decideRetry(1, smtp(250), opts())).toEqual({ outcome: 'sent' });
    expect(decideRetry(1, smtp(451), opts())).toMatchObject({
      outcome: 'retry',
      reason: 'SMTP 451: reply',
    });
    expect(decideRetry(8, smtp(421), opts())).toMatchObject({ outcome: 'dead' });
    for (const code of [550, 552, 554]) {
      expect(decideRetry(1, smtp(code), opts())).toEqual({
        outcome: 'dead',
        reason: `refused with SMTP ${code}: reply`,
      });
    }
  });

  it('2xx is sent, whatever the attempt', () => {
    for (const status of [200, 201, 202, 204, 299]) {
      expect(decideRetry(1, response(status), opts())).toEqual({ outcome: 'sent' });
    }
    expect(decideRetry(8, response(200), opts())).toEqual({ outcome: 'sent' });
  });

  it('a 4xx refusal is dead at once, except 408 and 429', () => {
    for (const status of [400, 401, 403, 404, 410, 413, 422]) {
      expect(decideRetry(1, response(status), opts())).toMatchObject({
        outcome: 'dead',
        reason: `refused with HTTP ${status}`,
      });
    }
    for (const status of [408, 429]) {
      expect(decideRetry(1, response(status), opts()).outcome).toBe('retry');
    }
  });

  it('5xx, a network error and a timeout are retried', () => {
    expect(decideRetry(1, response(500), opts())).toMatchObject({ outcome: 'retry' });
    expect(decideRetry(1, response(503), opts())).toMatchObject({ outcome: 'retry' });
    expect(
      decideRetry(2, { kind: 'network', error: 'ECONNREFUSED', timeout: false }, opts()),
    ).toMatchObject({ outcome: 'retry', reason: 'network error: ECONNREFUSED' });
    expect(
      decideRetry(3, { kind: 'network', error: 'no answer within 10 s', timeout: true }, opts()),
    ).toMatchObject({ outcome: 'retry', reason: 'timed out: no answer within 10 s' });
  });

  it('a configuration error is dead at once, with its message', () => {
    expect(
      decideRetry(1, { kind: 'config', error: 'the environment variable X is not set' }, opts()),
    ).toEqual({ outcome: 'dead', reason: 'the environment variable X is not set' });
  });

  it('gives up after 8 attempts', () => {
    expect(RETRY_POLICY.maxAttempts).toBe(8);
    expect(decideRetry(7, response(500), opts()).outcome).toBe('retry');
    expect(decideRetry(8, response(500), opts())).toEqual({
      outcome: 'dead',
      reason: 'HTTP 500; gave up after 8 attempts',
    });
    expect(decideRetry(3, response(500), { ...opts(), maxAttempts: 3 }).outcome).toBe('dead');
  });

  it('honours Retry-After when it asks for longer than the backoff, not when shorter', () => {
    // Attempt 1's backoff is 15..30 s.
    expect(decideRetry(1, response(429, '120'), opts(high))).toMatchObject({ delayMs: 120_000 });
    expect(decideRetry(1, response(429, '5'), opts(high)).outcome).toBe('retry');
    const short = decideRetry(1, response(429, '5'), opts(high));
    expect(short.outcome === 'retry' && short.delayMs).toBe(backoffMs(1, high));
    const date = new Date(NOW.getTime() + 600_000).toUTCString();
    expect(decideRetry(1, response(503, date), opts())).toMatchObject({ delayMs: 600_000 });
  });
});

describe('backoffMs', () => {
  it('doubles from 30 s with equal jitter: between half and all of the backoff', () => {
    const full = [30, 60, 120, 240, 480, 960, 1920, 3840].map((s) => s * 1000);
    for (const [i, f] of full.entries()) {
      expect(backoffMs(i + 1, low)).toBe(f / 2);
      expect(backoffMs(i + 1, high)).toBeLessThanOrEqual(f);
      expect(backoffMs(i + 1, high)).toBeGreaterThan(f * 0.999);
      expect(backoffMs(i + 1, () => 0.5)).toBe(f * 0.75);
    }
  });

  it('is capped at 6 hours', () => {
    expect(backoffMs(20, high)).toBeLessThanOrEqual(6 * 3600_000);
    expect(backoffMs(20, low)).toBe(3 * 3600_000);
    expect(backoffMs(100, () => 1)).toBe(6 * 3600_000);
  });
});

describe('retryAfterMs', () => {
  it('reads delta-seconds and HTTP dates, ignores what it does not understand', () => {
    expect(retryAfterMs('120', NOW)).toBe(120_000);
    expect(retryAfterMs(' 0 ', NOW)).toBe(0);
    expect(retryAfterMs('Tue, 04 Mar 2031 10:05:00 GMT', NOW)).toBe(300_000);
    expect(retryAfterMs('Tue, 04 Mar 2031 09:00:00 GMT', NOW)).toBe(0);
    expect(retryAfterMs(null, NOW)).toBeNull();
    expect(retryAfterMs(undefined, NOW)).toBeNull();
    expect(retryAfterMs('', NOW)).toBeNull();
    expect(retryAfterMs('soon', NOW)).toBeNull();
    expect(retryAfterMs('-5', NOW)).toBeNull();
  });

  it('holds a very long wait to a day', () => {
    expect(retryAfterMs('99999999', NOW)).toBe(24 * 3600_000);
  });
});
