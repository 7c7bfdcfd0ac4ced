import type { Engine } from '../engines/engine.js';
import { compileProjectRow, compileSaveProject } from '../sql/compile-projects.js';

/**
 * Makes sure a project exists with a time zone, on any engine: a new project is named by its id;
 * an existing one keeps its name and gets the zone if it had another. Nothing is written when the
 * project is there with that zone already.
 */
export async function ensureProject(
  engine: Engine,
  project: { projectId: string; timeZone: string },
): Promise<void> {
  const d = engine.dialect;
  const current = compileProjectRow(d, project.projectId);
  const [row] = await engine.query<{ name: string; time_zone: string }>(
    current.sql,
    current.params,
  );
  if (row?.time_zone === project.timeZone) return;
  const save = compileSaveProject(d, {
    projectId: project.projectId,
    name: row?.name ?? project.projectId,
    timeZone: project.timeZone,
  });
  await engine.run(save.sql, save.params);
}
