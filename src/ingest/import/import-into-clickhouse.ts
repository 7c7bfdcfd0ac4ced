import { DuckDbEngine } from '../../engines/duckdb/duckdb-engine.js';
import type { Engine, Row } from '../../engines/engine.js';
import { DIALECTS } from '../../sql/dialects/index.js';
import { type ImportOptions, type ImportSummary, runImport } from './run-import.js';

/** Rows copied per insert: large enough for ClickHouse's parts, small enough for memory. */
const BATCH = 50_000;

/**
 * A file into a ClickHouse engine. The importer reads files with DuckDB's own readers (mapping,
 * detection, rejections: run-import.ts), so the file is imported into a throw-away in-memory
 * DuckDB first; its events then go to ClickHouse in batches, each without the message ids the
 * project already has there (so importing a file again adds nothing), with the rejected rows and
 * the days touched. Not one transaction (ClickHouse has none): a copy cut short is finished by
 * importing the file again.
 */
export async function importIntoClickHouse(
  target: Engine,
  options: ImportOptions,
): Promise<ImportSummary> {
  const d = DIALECTS[target.dialect];
  const staging = await DuckDbEngine.open({ path: ':memory:' });
  try {
    await staging.migrate();
    await staging.run(
      `INSERT INTO projects (project_id, name, time_zone) VALUES ($p, $p, $tz)
       ON CONFLICT (project_id) DO NOTHING`,
      { p: options.projectId, tz: options.timeZone },
    );
    const summary = await runImport(staging, options);
    let copied = 0;
    for await (const rows of staging.stream<Row>(
      `SELECT project_id, message_id, strftime(timestamp, '%Y-%m-%d %H:%M:%S.%g') AS timestamp,
         user_id, anonymous_id, account_id, event, CAST(properties AS VARCHAR) AS properties,
         strftime(received_at, '%Y-%m-%d %H:%M:%S.%g') AS received_at, source, batch_id,
         timestamp_flag
       FROM events`,
    )) {
      for (let i = 0; i < rows.length; i += BATCH) {
        const batch = rows.slice(i, i + BATCH);
        const known = new Set(
          (
            await target.query<{ message_id: string }>(
              `SELECT message_id FROM events WHERE project_id = ${d.param('p', 'String')}
               AND ${d.inList('message_id', d.param('ids', 'Array(String)'))}`,
              { p: options.projectId, ids: batch.map((r) => String(r.message_id)) },
            )
          ).map((r) => r.message_id),
        );
        const fresh = batch.filter((r) => !known.has(String(r.message_id)));
        await target.insert('events', fresh);
        copied += fresh.length;
      }
    }
    const failed = await staging.query<Row>(
      `SELECT project_id, source, source_line, reason, raw FROM failed_events`,
    );
    await target.run(
      `DELETE FROM failed_events WHERE project_id = ${d.param('p', 'String')}
       AND source = ${d.param('s', 'String')}`,
      { p: options.projectId, s: `file:${summary.file}` },
    );
    if (failed.length > 0) await target.insert('failed_events', failed);
    const days = await staging.query<Row>(
      `SELECT project_id, strftime(day, '%Y-%m-%d') AS day FROM rollup_dirty_days`,
    );
    if (days.length > 0) await target.insert('rollup_dirty_days', days);
    return {
      ...summary,
      imported: copied,
      duplicates: summary.duplicates + (summary.imported - copied),
    };
  } finally {
    await staging.close();
  }
}
