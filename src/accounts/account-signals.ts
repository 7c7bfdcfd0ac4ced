import type { Engine } from '../engines/engine.js';
import {
  compileChampionSilent,
  compileDomainMoves,
  compileLostPowerUsers,
  compileMavenMoved,
  compileScoredUsersNow,
} from '../sql/compile-accounts.js';
import { compileSnapshotPeriodCount } from '../sql/compile-snapshots.js';
import { type Accounts, flag } from './account.js';
import {
  championSilentSentence,
  domainMoveSentence,
  lostPowerUsersSentence,
  type MavenMove,
  mavenMovedInSentence,
  mavenMovedOutSentence,
} from './account-sentences.js';

/** The snapshots compared, and how far back and how quiet a signal looks. */
export interface ChangeInput {
  projectId: string;
  definition: string;
  period: string;
  /** Periods looked back for power users an account had. */
  lookbackPeriods: number;
  /** A champion is quiet after this many days unseen. */
  quietDays: number;
}

/** The bound parameters of the snapshot comparisons (compile-accounts.ts). */
const changeParams = (input: ChangeInput) => ({
  p: input.projectId,
  def: input.definition,
  period: input.period,
  lookback: input.lookbackPeriods,
  quiet_days: input.quietDays,
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
  }>(compileLostPowerUsers(engine.dialect).sql, changeParams(input))) {
    flag(accounts, r.account_id, {
      signal: 'lost_power_users',
      kind: 'risk',
      explanation: lostPowerUsersSentence(r, input.period),
    });
  }
}

async function championsSilent(engine: Engine, input: ChangeInput, accounts: Accounts) {
  for (const r of await engine.query<{
    account_id: string;
    user_id: string;
    events_before: number;
    account_events_before: number;
    events_now: number;
    quiet_days: number | null;
  }>(compileChampionSilent(engine.dialect).sql, changeParams(input))) {
    flag(accounts, r.account_id, {
      signal: 'champion_silent',
      kind: 'risk',
      explanation: championSilentSentence(r, input.period),
    });
  }
}

async function mavensMoved(engine: Engine, input: ChangeInput, accounts: Accounts) {
  for (const r of await engine.query<MavenMove>(
    compileMavenMoved(engine.dialect).sql,
    changeParams(input),
  )) {
    flag(accounts, r.from_account, {
      signal: 'maven_moved_out',
      kind: 'risk',
      explanation: mavenMovedOutSentence(r, input.period),
    });
    flag(accounts, r.to_account, {
      signal: 'maven_moved_in',
      kind: 'chance',
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
      explanation: domainMoveSentence(r),
    });
  }
}
