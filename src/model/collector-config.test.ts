import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/helpers/error-of.js';
import { collectorLimits, DEFAULT_COLLECTOR_LIMITS, sizeBytes } from './collector-config.js';
import { parseConfigText } from './config.js';

describe('collector settings in powerlens.yaml', () => {
  it('default to the limits of the issue: 32 KB per event, 2,500 per batch, 500 KB / 20 MB per body', () => {
    expect(DEFAULT_COLLECTOR_LIMITS).toEqual({
      segment: { maxEventBytes: 32 * 1024, maxBatchBytes: 500 * 1024, maxBatchEvents: 2500 },
      posthog: { maxEventBytes: 32 * 1024, maxBatchBytes: 20 * 1024 ** 2, maxBatchEvents: 2500 },
      maxUnloadedBytes: 256 * 1024 ** 2,
      requestTimeoutMs: 30_000,
      rollupIntervalMs: 60_000,
      dedupeDays: 8,
    });
  });

  it('read sizes as text with units or as bytes, and keep the defaults of what is not set', () => {
    const config = parseConfigText(
      [
        'collector:',
        '  segment:',
        '    max_event_size: 64KB',
        '    max_batch_events: 100',
        '  posthog:',
        '    max_request_size: 1.5 MB',
        '  max_unloaded_size: 1000000',
        '  rollup_every_seconds: 15',
      ].join('\n'),
      'p.yaml',
    );
    const limits = collectorLimits(config.collector);
    expect(limits.segment).toEqual({
      maxEventBytes: 65_536,
      maxBatchBytes: 512_000,
      maxBatchEvents: 100,
    });
    expect(limits.posthog.maxBatchBytes).toBe(1_572_864);
    expect(limits.maxUnloadedBytes).toBe(1_000_000);
    expect(limits.rollupIntervalMs).toBe(15_000);
  });

  it('name the line, the key and the fix for a bad value or a misspelt key', () => {
    expect(
      errorOf(() =>
        parseConfigText('collector:\n  segment:\n    max_event_size: 32 kilos\n', 'p.yaml'),
      ),
    ).toContain('p.yaml:3: collector.segment.max_event_size: a size such as 32KB, 500KB or 20MB');
    expect(
      errorOf(() => parseConfigText('collector:\n  segment:\n    max_batch_event: 10\n', 'p.yaml')),
    ).toContain('did you mean max_batch_events?');
    expect(errorOf(() => parseConfigText('collector:\n  dedupe_days: 3\n', 'p.yaml'))).toContain(
      'p.yaml:2: collector.dedupe_days',
    );
  });

  it('sizeBytes reads binary units', () => {
    expect(sizeBytes('32KB')).toBe(32_768);
    expect(sizeBytes('2 gb')).toBe(2 * 1024 ** 3);
    expect(sizeBytes(10)).toBe(10);
  });
});
