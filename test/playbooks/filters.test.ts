import { describe, expect, it } from 'vitest';
import { passes, traitValue } from '../../src/playbooks/filters.js';
import type { UserPair } from '../../src/playbooks/trigger-change.js';

describe('filters', () => {
  const user = {
    segments: ['heavy'],
    present: true,
    score: 79,
    account_id: 'acct_team',
  } as UserPair;
  const account = {
    plan: 'team',
    seats: 10,
    traits: { Plan_Name: 'team', Seats: '10', 'Sales Region': 'EU', owner: { id: 1 } },
  };

  it('read known traits as the reports do and others by a loose spelling', () => {
    expect(traitValue(account, 'plan')).toBe('team');
    expect(traitValue(account, 'seats')).toBe(10);
    expect(traitValue(account, 'sales_region')).toBe('EU');
    // Only a text, number or truth value counts.
    expect(traitValue(account, 'owner')).toBeUndefined();
    expect(traitValue(account, 'csm')).toBeUndefined();
  });

  it('compare trait values as text and fail a missing account or trait', () => {
    expect(passes({ account_traits: { seats: ['10'] } }, user, account)).toBe(true);
    expect(passes({ account_traits: { seats: [10, 20] } }, user, account)).toBe(true);
    expect(passes({ account_traits: { plan: ['team'], csm: ['ana'] } }, user, account)).toBe(false);
    expect(passes({ account_traits: { plan: ['team'] } }, user, undefined)).toBe(false);
    expect(passes({ account_traits: { plan: ['Team'] } }, user, account)).toBe(false);
  });

  it('keep the score range inclusive, 0 for a user absent from the snapshot', () => {
    expect(passes({ score: { min: 79, max: 79 } }, user, undefined)).toBe(true);
    expect(passes({ score: { min: 80 } }, user, undefined)).toBe(false);
    expect(passes({ score: { max: 10 } }, { ...user, present: false }, undefined)).toBe(true);
    expect(passes({ segments: ['other', 'heavy'] }, user, undefined)).toBe(true);
    expect(passes({ segments: ['other'] }, user, undefined)).toBe(false);
    expect(passes({}, user, undefined)).toBe(true);
  });
});
