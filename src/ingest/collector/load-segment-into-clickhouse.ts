import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Engine } from '../../engines/engine.js';
import { DIALECTS } from '../../sql/dialects/index.js';
import { copyStagedIntoClickHouse, withClickHouseStaging } from '../stage-for-clickhouse.js';
import { type LoadReport, loadSegment } from './load-segment.js';

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
  options: { dedupeDays?: number; now?: Date } = {},
): Promise<LoadReport> {
  const d = DIALECTS[target.dialect];
  const content = await readFile(path);
  const sha = createHash('sha256').update(content).digest('hex');
  const [done] = await target.query<{ n: number }>(
    `SELECT count() AS n FROM collector_loads WHERE segment_sha256 = ${d.param('sha', 'String')}`,
    { sha },
  );
  if ((done?.n ?? 0) > 0 || content.length === 0) {
    return {
      skipped: true,
      records: 0,
      events: 0,
      duplicates: 0,
      identifies: 0,
      groups: 0,
      aliases: 0,
      failed: 0,
    };
  }
  const now = options.now ?? new Date();
  const since = new Date(now.getTime() - (options.dedupeDays ?? 8) * 86_400_000).toISOString();
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
