import type { Engine } from '../engines/engine.js';
import {
  compileChampionSilent,
  compileDomainMoves,
  compileLostPowerUsers,
  compileMavenMoved,
  compileScoredUsersNow,
} from '../sql/compile-accounts.js';
import { compileSnapshotPeriodCount } from '../sql/compile-snapshots.js';
import { addDays } from '../time/days.js';
import { type PeriodKind, periodOf } from '../time/periods.js';
import { type Accounts, flag } from './account.js';
import {
  championSilentSentence,
  domainMoveSentence,
  lostPowerUsersSentence,
  type MavenMove,
  mavenMovedInSentence,
  mavenMovedOutSentence,
  type SilentChampion,
} from './account-sentences.js';

/**
 * Who can be an account's champion (compile-accounts.ts): the user who did the most of its events
 * in the window, in an account of at least `minUsers` active users (with fewer, one person doing
 * most of the work is what a small team looks like, not a signal), who was a power user doing at
 * least `powerShare` of them, or anyone doing at least `carryShare`: clearly carrying it.
 */
export const CHAMPION = { minUsers: 3, powerShare: 1 / 3, carryShare: 2 / 3 } as const;

/** The snapshots compared, and how far back and how quiet a signal looks. */
export interface ChangeInput {
  projectId: string;
  definition: string;
  period: PeriodKind;
  /** The last day of the latest period's window. */
  asOf: string;
  windowDays: number;
  /** Periods looked back for power users an account had. */
  lookbackPeriods: number;
  /** A champion is quiet after this many days unseen. */
  quietDays: number;
}

/** Days from `a` to `b` (YYYY-MM-DD). */
const daysBetween = (a: string, b: string) =>
  Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

/** The bound parameters of the snapshot comparisons (compile-accounts.ts). */
const changeParams = (input: ChangeInput) => ({
  p: input.projectId,
  def: input.definition,
  period: input.period,
  lookback: input.lookbackPeriods,
  quiet_days: input.quietDays,
  window_days: input.windowDays,
  champion_min_users: CHAMPION.minUsers,
  champion_power_share: CHAMPION.powerShare,
  champion_carry_share: CHAMPION.carryShare,
});

/**
 * The signals of what changed, each flagged on its account: between the stored snapshot periods
 * (power users lost, a champion gone silent, a maven moved out or in), when there are two to
 * compare, and a power user's new e-mail domain. Returns whether periods were compared.
 */
export async function changeSignals(
  engine: Engine,
  input: ChangeInput,
  accounts: Accounts,
): Promise<boolean> {
  const stored = compileSnapshotPeriodCount(engine.dialect, input);
  const [periods] = await engine.query<{ n: number }>(stored.sql, stored.params);
  const compared = (periods?.n ?? 0) >= 2;
  if (compared) {
    await lostPowerUsers(engine, input, accounts);
    await championsSilent(engine, input, accounts);
    await mavensMoved(engine, input, accounts);
  }
  await domainMoves(engine, input.projectId, accounts);
  return compared;
}

async function lostPowerUsers(engine: Engine, input: ChangeInput, accounts: Accounts) {
  for (const r of await engine.query<{
    account_id: string;
    had_power_users: number;
    last_period: string;
    since: string;
    periods_without: number;
  }>(compileLostPowerUsers(engine.dialect).sql, changeParams(input))) {
    flag(accounts, r.account_id, {
      signal: 'lost_power_users',
      kind: 'risk',
      since: r.since,
      explanation: lostPowerUsersSentence(
        {
          ...r,
          had_power_users: Number(r.had_power_users),
          periods_without: Number(r.periods_without),
        },
        input.period,
      ),
    });
  }
}

async function championsSilent(engine: Engine, input: ChangeInput, accounts: Accounts) {
  // The sentence's fields as the query returns them: the champion's last day and days unseen
  // are worked out here, from the window they were last seen in.
  type Row = Omit<SilentChampion, 'last_seen' | 'quiet_days'> & {
    account_id: string;
    quiet_before: number;
    quiet_days: number | null;
  };
  for (const r of await engine.query<Row>(
    compileChampionSilent(engine.dialect).sql,
    changeParams(input),
  )) {
    // Seen in the latest window: its days unseen; gone from it: unseen since the day before.
    const lastSeen =
      r.quiet_days === null
        ? addDays(r.before_as_of, -Number(r.quiet_before))
        : addDays(input.asOf, -Number(r.quiet_days));
    flag(accounts, r.account_id, {
      signal: 'champion_silent',
      kind: 'risk',
      user_id: r.user_id,
      since: addDays(lastSeen, 1),
      explanation: championSilentSentence(
        {
          user_id: r.user_id,
          events_before: Number(r.events_before),
          account_events_before: Number(r.account_events_before),
          account_users_before: Number(r.account_users_before),
          was_power_user: r.was_power_user,
          before_as_of: r.before_as_of,
          last_seen: lastSeen,
          quiet_days: daysBetween(lastSeen, input.asOf),
        },
        input.windowDays,
      ),
    });
  }
}

async function mavensMoved(engine: Engine, input: ChangeInput, accounts: Accounts) {
  for (const r of await engine.query<MavenMove>(
    compileMavenMoved(engine.dialect).sql,
    changeParams(input),
  )) {
    // The first period after their last as a power user in the account they left: the same
    // for as long as the move shows (the lookback), so a playbook can fire for it once.
    const last = periodOf(r.last_period_before, input.period);
    const since = periodOf(addDays(last.end, 1), input.period).start;
    flag(accounts, r.from_account, {
      signal: 'maven_moved_out',
      kind: 'risk',
      user_id: r.user_id,
      since,
      explanation: mavenMovedOutSentence(r, input.period),
    });
    flag(accounts, r.to_account, {
      signal: 'maven_moved_in',
      kind: 'chance',
      user_id: r.user_id,
      since,
      explanation: mavenMovedInSentence(r, input.period),
    });
  }
}

/** A power user now whose e-mail domain changed: a maven moved in, to their account now. */
async function domainMoves(engine: Engine, projectId: string, accounts: Accounts) {
  const scored = compileScoredUsersNow();
  const powerNow = new Map(
    (
      await engine.query<{ user_id: string; account_id: string; is_power_user: boolean }>(
        scored.sql,
        scored.params,
      )
    ).map((r) => [r.user_id, r]),
  );
  for (const r of await engine.query<{ user_id: string; from_domain: string; to_domain: string }>(
    compileDomainMoves(engine.dialect).sql,
    { p: projectId },
  )) {
    const now = powerNow.get(r.user_id);
    if (!now?.is_power_user || !now.account_id) continue;
    flag(accounts, now.account_id, {
      signal: 'maven_moved_in',
      kind: 'chance',
      user_id: r.user_id,
      explanation: domainMoveSentence(r),
    });
  }
}
