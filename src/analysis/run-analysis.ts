import type { Engine } from '../engines/engine.js';
import { compileScore } from '../sql/compile-score.js';
import { isIsoDay, windowDaysProblem } from '../time/days.js';
import {
  ADVANCED_SHARE,
  COLLABORATION_LIKE,
  FEEDBACK_LIKE,
  LOGIN_LIKE,
} from './catalogue-rules.js';
import { type Definition, defaultDefinition } from './default-definition.js';
import {
  type CriterionResult,
  criteriaResults,
  explainSentence,
  type ScoredRow,
} from './explain.js';

export interface AnalyzeOptions {
  projectId: string;
  asOf?: string | undefined;
  windowDays?: number | undefined;
  top?: number | undefined;
}

export interface CurvePoint {
  days_active: number;
  users: number;
  power_users: number;
}

export interface GroupStats {
  group: 'power_users' | 'everyone_else';
  users: number;
  median_days_active: number;
  median_sessions: number;
  median_core_features: number;
  median_advanced_features: number;
  median_actions: number;
  actions_share: number;
}

export interface UserResult {
  user_id: string;
  account_id: string;
  score: number;
  is_power_user: boolean;
  reason: string;
  criteria: CriterionResult[];
}

export interface Report {
  project_id: string;
  as_of: string;
  window_days: number;
  definition: Definition;
  totals: {
    /** All stored events of the project, every day (the other counts are for the window). */
    events: number;
    users: number;
    accounts: number;
    /** First and last local day with data, so an empty window can say where the data is. */
    first_day: string | null;
    last_day: string | null;
    active_users: number;
    power_users: number;
    power_user_share: number;
  };
  curve: CurvePoint[];
  power_vs_everyone_else: GroupStats[];
  top_power_users: UserResult[];
}

export class AnalysisError extends Error {}

/** The last local day with data: the default as-of date. */
export async function lastDataDay(engine: Engine, projectId: string): Promise<string | null> {
  const rows = await engine.query<{ d: string | null }>(
    `SELECT strftime(max(day), '%Y-%m-%d') AS d FROM user_day WHERE project_id = $p`,
    { p: projectId },
  );
  return rows[0]?.d ?? null;
}

/** Scores every user active in the window into the temp table `scored`. */
async function scoreInto(engine: Engine, definition: Definition, projectId: string, asOf: string) {
  const { sql, params } = compileScore(definition, {
    projectId,
    asOf,
    windowDays: definition.window_days,
    loginPattern: LOGIN_LIKE,
    collaborationPattern: COLLABORATION_LIKE,
    feedbackPattern: FEEDBACK_LIKE,
    advancedShare: ADVANCED_SHARE,
  });
  await engine.run(`CREATE OR REPLACE TEMP TABLE scored AS ${sql}`, params);
}

export function toUserResult(definition: Definition, row: ScoredRow): UserResult {
  return {
    user_id: row.user_id,
    account_id: row.account_id,
    score: row.score,
    is_power_user: row.is_power_user,
    reason: explainSentence(row, definition.window_days),
    criteria: criteriaResults(definition, row),
  };
}

export async function runAnalysis(engine: Engine, options: AnalyzeOptions): Promise<Report> {
  const p = options.projectId;
  const windowDays = options.windowDays ?? 30;
  const windowProblem = windowDaysProblem(windowDays);
  if (windowProblem) throw new AnalysisError(windowProblem);
  if (options.asOf !== undefined && !isIsoDay(options.asOf)) {
    throw new AnalysisError(`--as-of ${options.asOf}: use a date written YYYY-MM-DD.`);
  }
  const asOf = options.asOf ?? (await lastDataDay(engine, p));
  if (!asOf) {
    throw new AnalysisError(
      'no data to analyse yet: import events first (powerlens import FILE), or try powerlens demo.',
    );
  }
  const definition = defaultDefinition(windowDays);
  await scoreInto(engine, definition, p, asOf);

  const [totals] = await engine.query<{
    events: number;
    users: number;
    accounts: number;
    first_day: string | null;
    last_day: string | null;
  }>(
    `SELECT (SELECT count(*) FROM events WHERE project_id = $p) AS events,
       (SELECT count(DISTINCT user_id) FROM user_day WHERE project_id = $p AND NOT anonymous)
         AS users,
       (SELECT count(DISTINCT account_id) FROM user_day WHERE project_id = $p AND account_id <> '')
         AS accounts,
       (SELECT strftime(min(day), '%Y-%m-%d') FROM user_day WHERE project_id = $p) AS first_day,
       (SELECT strftime(max(day), '%Y-%m-%d') FROM user_day WHERE project_id = $p) AS last_day`,
    { p },
  );
  const [active] = await engine.query<{ active: number; power: number }>(
    'SELECT count(*) AS active, count(*) FILTER (WHERE is_power_user) AS power FROM scored',
  );
  const curveRows = await engine.query<CurvePoint>(
    `SELECT days_active, count(*) AS users, count(*) FILTER (WHERE is_power_user) AS power_users
     FROM scored GROUP BY days_active ORDER BY days_active`,
  );
  const byDays = new Map(curveRows.map((r) => [r.days_active, r]));
  const curve: CurvePoint[] = [];
  for (let d = 1; d <= windowDays; d++) {
    curve.push(byDays.get(d) ?? { days_active: d, users: 0, power_users: 0 });
  }
  const groups = await engine.query<GroupStats>(
    `SELECT CASE WHEN is_power_user THEN 'power_users' ELSE 'everyone_else' END AS "group",
       count(*) AS users,
       median(days_active) AS median_days_active, median(sessions) AS median_sessions,
       median(core_features) AS median_core_features,
       median(advanced_features) AS median_advanced_features,
       median(actions) AS median_actions,
       coalesce(sum(actions) / nullif((SELECT sum(actions) FROM scored), 0), 0) AS actions_share
     FROM scored GROUP BY ALL ORDER BY "group" DESC`,
  );
  const top = await engine.query<ScoredRow>(
    'SELECT * FROM scored WHERE is_power_user ORDER BY score DESC, actions DESC, user_id LIMIT $n',
    { n: options.top ?? 10 },
  );
  const activeUsers = active?.active ?? 0;
  const powerUsers = active?.power ?? 0;
  return {
    project_id: p,
    as_of: asOf,
    window_days: windowDays,
    definition,
    totals: {
      events: totals?.events ?? 0,
      users: totals?.users ?? 0,
      accounts: totals?.accounts ?? 0,
      first_day: totals?.first_day ?? null,
      last_day: totals?.last_day ?? null,
      active_users: activeUsers,
      power_users: powerUsers,
      power_user_share: activeUsers > 0 ? powerUsers / activeUsers : 0,
    },
    curve,
    power_vs_everyone_else: groups.map((g) => ({ ...g, actions_share: Number(g.actions_share) })),
    top_power_users: top.map((r) => toUserResult(definition, r)),
  };
}

/**
 * Every user of the last scoring on this engine (runAnalysis or scoredUsers leave it in the temp
 * table `scored`), so a caller that has just built the report does not score again.
 */
export async function readScoredUsers(
  engine: Engine,
  definition: Definition,
): Promise<UserResult[]> {
  const rows = await engine.query<ScoredRow>('SELECT * FROM scored ORDER BY user_id');
  return rows.map((r) => toUserResult(definition, r));
}

/** Scores every user active in the window and returns them all, for checks and exports. */
export async function scoredUsers(
  engine: Engine,
  projectId: string,
  asOf: string,
  windowDays = 30,
): Promise<UserResult[]> {
  const definition = defaultDefinition(windowDays);
  await scoreInto(engine, definition, projectId, asOf);
  return readScoredUsers(engine, definition);
}
