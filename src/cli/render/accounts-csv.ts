import type { Account } from '../../accounts/account.js';

/**
 * One row per account (the header first), the same columns whatever the accounts hold: traits
 * from group calls are empty when unknown, signals are listed by name, risks and chances apart.
 */
export function accountRows(accounts: readonly Account[]): unknown[][] {
  const names = (a: Account, kind: 'risk' | 'chance') =>
    a.signals
      .filter((s) => s.kind === kind)
      .map((s) => s.signal)
      .join(';');
  return [
    [
      'account_id',
      'name',
      'plan',
      'seats',
      'mrr',
      'csm',
      'users',
      'active_users',
      'power_users',
      'power_user_share',
      'power_user_seat_share',
      'catalogue_coverage',
      'risks',
      'chances',
    ],
    ...accounts.map((a) => [
      a.account_id,
      a.name,
      a.plan,
      a.seats,
      a.mrr,
      a.csm,
      a.users,
      a.active_users,
      a.power_users,
      a.power_user_share,
      a.power_user_seat_share,
      a.catalogue_coverage,
      names(a, 'risk'),
      names(a, 'chance'),
    ]),
  ];
}
