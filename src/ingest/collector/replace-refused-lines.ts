import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from '../../engines/engine.js';
import { withClickHouseStaging } from '../stage-for-clickhouse.js';
import { findRefusedLines, type Refusal } from './find-refused-lines.js';
import { isJsonObject } from './json-values.js';
import { loadSegment } from './load-segment.js';
import { type LogLine, logLine } from './log-line.js';

/** Room for any record in failed_events.raw, as for rejected messages. */
const RAW_CAP = 1024 * 1024;

/**
 * A refused line as a failed record of its own project, so the rest of the segment loads and the
 * line stays visible in failed_events with the loader's reason; null when the line does not say
 * which project it belongs to (it then stays only in quarantine/).
 */
export function failedRecordFor(refusal: Refusal, now: Date): LogLine | null {
  let record: unknown;
  try {
    record = JSON.parse(refusal.line);
  } catch {
    return null;
  }
  if (!isJsonObject(record) || typeof record.project_id !== 'string' || !record.project_id) {
    return null;
  }
  const received =
    typeof record.received_at === 'string' && !Number.isNaN(Date.parse(record.received_at))
      ? new Date(record.received_at).toISOString()
      : now.toISOString();
  return logLine({
    kind: 'failed',
    project_id: record.project_id,
    source: typeof record.source === 'string' ? record.source : 'collector',
    reason: `the loader refused this record: ${refusal.reason}`,
    raw: refusal.line.slice(0, RAW_CAP).toWellFormed(),
    received_at: received,
  });
}

/**
 * Finds the lines of a segment the loader refuses by loading parts of it into a scratch DuckDB
 * (the loader the real load runs, on DuckDB and ClickHouse alike), then rewrites the segment
 * with each refused line replaced by a failed record and the originals kept in quarantine/.
 * Null when every line loads: the failure is the store's, not the data's.
 */
export async function replaceRefusedLines(
  engine: Engine,
  segment: string,
  rewrite: (lines: readonly string[], refused: readonly Refusal[]) => Promise<string>,
): Promise<{ refused: number; keptIn: string } | null> {
  const lines = (await readFile(segment, 'utf8')).split('\n').filter((l) => l !== '');
  const probe = join(segment, '..', '.probe-refused.ndjson');
  const refused = await withClickHouseStaging(engine, (scratch) =>
    findRefusedLines(lines, async (some) => {
      // A failure to write the probe is not the data's fault: it throws, nothing is refused.
      await writeFile(probe, `${some.join('\n')}\n`);
      try {
        await loadSegment(scratch, probe);
        return null;
      } catch (err) {
        return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'refused';
      } finally {
        await rm(probe, { force: true });
      }
    }),
  );
  if (refused.length === 0) return null;
  const now = new Date();
  const byIndex = new Map(refused.map((r) => [r.index, failedRecordFor(r, now)]));
  const kept = lines.flatMap((line, i) => {
    if (!byIndex.has(i)) return [line];
    const failed = byIndex.get(i);
    return failed ? [failed] : [];
  });
  const keptIn = await rewrite(kept, refused);
  return { refused: refused.length, keptIn };
}
