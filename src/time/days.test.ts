import { describe, expect, it } from 'vitest';
import { addDays, isIsoDay } from './days.js';

describe('calendar days', () => {
  it('accepts real dates only', () => {
    expect(isIsoDay('2026-02-28')).toBe(true);
    expect(isIsoDay('2028-02-29')).toBe(true);
    expect(isIsoDay('2026-02-30')).toBe(false);
    expect(isIsoDay('2026-13-01')).toBe(false);
    expect(isIsoDay('30/03/2026')).toBe(false);
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});

describe('the calendar’s bounds', () => {
  it('refuses dates outside 1970-01-01 .. 2199-12-31', () => {
    expect(isIsoDay('1970-01-01')).toBe(true);
    expect(isIsoDay('2199-12-31')).toBe(true);
    expect(isIsoDay('0000-01-01')).toBe(false);
    expect(isIsoDay('1969-12-31')).toBe(false);
    expect(isIsoDay('9999-12-31')).toBe(false);
  });

  it('throws rather than write a year past 9999', () => {
    expect(() => addDays('9999-12-31', 1)).toThrow(RangeError);
  });
});
