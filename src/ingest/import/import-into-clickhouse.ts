import type { Engine } from '../../engines/engine.js';
import { compileDeleteFailedEventsOf } from '../../sql/compile-failed-events.js';
import { compileAddProjectIfMissing } from '../../sql/compile-projects.js';
import { copyStagedIntoClickHouse, withClickHouseStaging } from '../stage-for-clickhouse.js';
import { type ImportOptions, type ImportSummary, runImport } from './run-import.js';

/**
 * A file into a ClickHouse engine. The importer reads files with DuckDB's own readers (mapping,
 * detection, rejections: run-import.ts), so the file is imported into a throw-away in-memory
 * DuckDB first; its events then go to ClickHouse without the message ids the project already has
 * there, so importing a file again adds nothing. The file's earlier rejections are replaced by
 * this run's, as on DuckDB.
 */
export async function importIntoClickHouse(
  target: Engine,
  options: ImportOptions,
): Promise<ImportSummary> {
  const d = target.dialect;
  return withClickHouseStaging(target, async (staging) => {
    const project = compileAddProjectIfMissing(staging.dialect, options);
    await staging.run(project.sql, project.params);
    const summary = await runImport(staging, options);
    const earlier = compileDeleteFailedEventsOf(d, options.projectId, `file:${summary.file}`);
    await target.run(earlier.sql, earlier.params);
    const copied = await copyStagedIntoClickHouse(staging, target);
    return {
      ...summary,
      imported: copied.events,
      duplicates: summary.duplicates + (summary.imported - copied.events),
    };
  });
}
