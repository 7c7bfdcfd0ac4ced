import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { SqlParams } from '../../dialect/sql-value.js';
import type { Engine } from '../../engines/engine.js';
import { compileLoadSegment, compileSegmentLoaded } from './compile-load-segment.js';

/**
 * Stores one closed log segment (docs/decisions/0005) in one transaction: events, identifies,
 * groups and aliases deduplicated on (project, message id) within the segment and against the
 * last `dedupeDays` of stored records, rejected messages into failed_events, the touched local
 * days marked dirty for the rollup. A segment already stored (same content) is skipped, so a
 * replay after a crash changes nothing.
 */
export interface LoadReport {
  skipped: boolean;
  records: number;
  events: number;
  duplicates: number;
  identifies: number;
  groups: number;
  aliases: number;
  failed: number;
}

export interface LoadOptions {
  dedupeDays?: number;
  now?: Date;
}

export function emptyLoadReport(skipped = false): LoadReport {
  const none = { records: 0, events: 0, duplicates: 0, identifies: 0, groups: 0, aliases: 0 };
  return { skipped, ...none, failed: 0 };
}

/** The earliest receive time a message id is looked up from (ISO text). */
export function dedupeSince(options: LoadOptions): string {
  const now = options.now ?? new Date();
  return new Date(now.getTime() - (options.dedupeDays ?? 8) * 86_400_000).toISOString();
}

/** A segment's bytes and their SHA-256, by which a load is recorded and recognised. */
export async function readSegment(path: string): Promise<{ content: Buffer; sha: string }> {
  const content = await readFile(path);
  return { content, sha: createHash('sha256').update(content).digest('hex') };
}

export async function loadSegment(
  engine: Engine,
  path: string,
  options: LoadOptions = {},
): Promise<LoadReport> {
  const { content, sha } = await readSegment(path);
  const since = dedupeSince(options);
  const report = emptyLoadReport();
  const d = engine.dialect;
  const st = compileLoadSegment({ path, sha, since });
  const run = (x: { sql: string; params: SqlParams }) => engine.run(x.sql, x.params);
  return engine.transaction(async () => {
    const loaded = compileSegmentLoaded(d, sha);
    const [done] = await engine.query<{ n: number }>(loaded.sql, loaded.params);
    if ((done?.n ?? 0) > 0 || content.length === 0) return { ...report, skipped: true };
    await run(st.stage);
    const [counts] = await engine.query<{ n: number; events: number }>(
      st.countStaged.sql,
      st.countStaged.params,
    );
    report.records = counts?.n ?? 0;
    report.events = await run(st.insertEvents);
    report.duplicates = (counts?.events ?? 0) - report.events;
    report.identifies = await run(st.insertIdentifies);
    report.groups = await run(st.insertGroups);
    report.aliases = await run(st.insertAliases);
    report.failed = await run(st.insertFailed);
    await run(st.markDirtyDays);
    await run(st.recordLoad(report.records));
    await run(st.dropStage);
    return report;
  });
}
