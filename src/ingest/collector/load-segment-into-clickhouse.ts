import type { Engine } from '../../engines/engine.js';
import { copyStagedIntoClickHouse, withClickHouseStaging } from '../stage-for-clickhouse.js';
import { compileSegmentLoaded } from './compile-load-segment.js';
import {
  dedupeSince,
  emptyLoadReport,
  type LoadOptions,
  type LoadReport,
  loadSegment,
  readSegment,
} from './load-segment.js';

/**
 * One closed log segment into ClickHouse: loaded into an in-memory DuckDB by the same loader as
 * on DuckDB (parsing, dedupe within the segment, rejected messages, local days), then copied
 * across without the message ids stored in the last `dedupeDays`. The segment is recorded as
 * loaded last, so a crash in between means the next start copies it again, and the dedupe makes
 * that copy add nothing (ReplacingMergeTree on the message id would fold it in any case).
 */
export async function loadSegmentIntoClickHouse(
  target: Engine,
  path: string,
  options: LoadOptions = {},
): Promise<LoadReport> {
  const { content, sha } = await readSegment(path);
  const loaded = compileSegmentLoaded(target.dialect, sha);
  const [done] = await target.query<{ n: number }>(loaded.sql, loaded.params);
  if ((done?.n ?? 0) > 0 || content.length === 0) return emptyLoadReport(true);
  const now = options.now ?? new Date();
  const since = dedupeSince({ ...options, now });
  return withClickHouseStaging(target, async (staging) => {
    const staged = await loadSegment(staging, path, { ...options, now });
    const copied = await copyStagedIntoClickHouse(staging, target, { since });
    await target.insert('collector_loads', [{ segment_sha256: sha, records: staged.records }]);
    return {
      ...staged,
      ...copied,
      duplicates: staged.duplicates + (staged.events - copied.events),
    };
  });
}
