import { join } from 'node:path';
import { generateDemo } from '../../src/demo/generate-demo.js';
import { runImport } from '../../src/ingest/import/run-import.js';
import { type CreatedProject, createProject } from '../../src/projects/run-projects.js';
import { runRollup } from '../../src/rollup/run-rollup.js';
import type { TempDb } from './temp-db.js';

/** A project "Acme" (id acme) with demo events (60 days to 2026-10-31), imported and rolled up. */
export async function demoProject(db: TempDb, seed: number): Promise<CreatedProject> {
  const project = await createProject(db.engine, { name: 'Acme', timeZone: 'UTC' });
  const events = join(db.dir, 'events.csv');
  await generateDemo({
    seed,
    users: 300,
    days: 60,
    end: '2026-10-31',
    outPath: events,
    truthPath: join(db.dir, 'truth.json'),
  });
  await runImport(db.engine, {
    path: events,
    projectId: project.project_id,
    timeZone: 'UTC',
    now: new Date('2026-11-24T00:00:00Z'),
  });
  await runRollup(db.engine, {
    projectId: project.project_id,
    timeZone: 'UTC',
    sessionGapMinutes: 30,
  });
  return project;
}
