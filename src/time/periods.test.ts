import { describe, expect, it } from 'vitest';
import { periodOf, periodsBetween } from './periods.js';

describe('periods', () => {
  it('weeks run Monday to Sunday, months to their last day, across year ends and leap days', () => {
    expect(periodOf('2026-11-24', 'week')).toEqual({ start: '2026-11-23', end: '2026-11-29' });
    expect(periodOf('2026-11-29', 'week')).toEqual({ start: '2026-11-23', end: '2026-11-29' });
    expect(periodOf('2027-01-01', 'week')).toEqual({ start: '2026-12-28', end: '2027-01-03' });
    expect(periodOf('2028-02-10', 'month')).toEqual({ start: '2028-02-01', end: '2028-02-29' });
    expect(periodOf('2026-12-31', 'month')).toEqual({ start: '2026-12-01', end: '2026-12-31' });
    expect(periodOf('2026-03-29', 'day')).toEqual({ start: '2026-03-29', end: '2026-03-29' });
  });

  it('lists every period between two days, the partial ones at the edges included', () => {
    const weeks = periodsBetween('2026-03-20', '2026-04-06', 'week').map((p) => p.start);
    expect(weeks).toEqual(['2026-03-16', '2026-03-23', '2026-03-30', '2026-04-06']);
    expect(periodsBetween('2026-01-31', '2026-03-01', 'month').map((p) => p.end)).toEqual([
      '2026-01-31',
      '2026-02-28',
      '2026-03-31',
    ]);
    expect(periodsBetween('2026-03-28', '2026-03-30', 'day')).toHaveLength(3);
  });
});
