import type { Engine } from '../engines/engine.js';
import { compileUserActivity } from '../sql/compile-user-activity.js';

/** One active day of a user: what they did that day. */
export interface ActivityDay {
  day: string;
  events: number;
  sessions: number;
  active_seconds: number;
}

/** A user's activity per active day, in the `days` days to `asOf`, oldest first. */
export async function userActivity(
  engine: Engine,
  input: { projectId: string; userId: string; asOf: string; days: number },
): Promise<ActivityDay[]> {
  const { sql, params } = compileUserActivity(engine.dialect, input);
  return engine.query<ActivityDay>(sql, params);
}
