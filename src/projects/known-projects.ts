import type { Engine } from '../engines/engine.js';
import { compileOtherProjectsWithEvents, compileProjectIds } from '../sql/compile-projects.js';

/** Every project id the database holds, in order. */
export async function projectIds(engine: Engine): Promise<string[]> {
  const st = compileProjectIds();
  return (await engine.query<{ project_id: string }>(st.sql, st.params)).map((r) => r.project_id);
}

/** Up to five other projects that hold rolled-up events, in order (to name when one has none). */
export async function otherProjectsWithEvents(
  engine: Engine,
  projectId: string,
): Promise<string[]> {
  const st = compileOtherProjectsWithEvents(engine.dialect, projectId, 5);
  return (await engine.query<{ project_id: string }>(st.sql, st.params)).map((r) => r.project_id);
}
