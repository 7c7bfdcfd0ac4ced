import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Engine, QueryProgress } from '../../engines/engine.js';
import {
  checkImportFile,
  engineReason,
  FORMAT_NAMES,
  ImportFileError,
  isGzipName,
  noJsonObjectMessage,
} from './check-file.js';
import {
  compileDescribeColumns,
  compileFirstNonBlankLine,
  compileSampleColumnKeys,
  compileSampleJsonFields,
} from './compile-detect-fields.js';
import { compileImport } from './compile-import.js';
import { detectFormat } from './detect-format.js';
import {
  type DetectedMapping,
  detectMapping,
  type FieldPath,
  formatPath,
} from './detect-mapping.js';
import { type EventField, GROUPS_CONTAINER } from './field-candidates.js';
import type { ImportFormat, SourceColumn } from './import-plan-input.js';
import { type RejectReason, storeImportRows } from './store-import-rows.js';

export interface ImportOptions {
  path: string;
  projectId: string;
  timeZone: string;
  format?: string | undefined;
  flags?: Partial<Record<EventField, string>> | undefined;
  csvDelimiter?: string | undefined;
  /** Import time; events later than this plus a day are rejected as out of range. */
  now?: Date | undefined;
  /**
   * While rows are appended: DuckDB's percentage (never falling, below 100 until the end) and the
   * file's rows in that proportion; once done, 100% and the rows read. Not called while the
   * percentage is unknown (a gzip file, whose progress DuckDB measures on compressed bytes).
   */
  onProgress?: ((p: QueryProgress) => void) | undefined;
  /** How often onProgress is called while rows are appended; 250 ms by default. */
  progressIntervalMs?: number | undefined;
}

export interface ImportSummary {
  file: string;
  format: ImportFormat;
  shape: DetectedMapping['shape'];
  mapping: Record<string, string>;
  rows_read: number;
  imported: number;
  duplicates: number;
  rejected: number;
  reasons: RejectReason[];
  days_touched: number;
  seconds: number;
  rows_per_second: number;
}

/** Events before this are almost always a unit mistake (epoch seconds read as ms, or zero). */
const MIN_TIMESTAMP = '1990-01-01T00:00:00Z';

async function describeColumns(
  engine: Engine,
  format: ImportFormat,
  path: string,
  delimiter: string | undefined,
): Promise<SourceColumn[]> {
  const st = compileDescribeColumns(format, path, delimiter);
  const rows = await engine.query<{ column_name: string; column_type: string }>(st.sql, st.params);
  return rows.map((r) => ({ name: r.column_name, type: r.column_type }));
}

/**
 * Top-level keys and the keys of the known nested objects (and of Amplitude's groups) in the
 * first lines, in order of first appearance (file order, then key order), so the mapping of
 * look-alike names is deterministic.
 */
async function sampleJsonFields(engine: Engine, path: string): Promise<FieldPath[]> {
  const st = compileSampleJsonFields(path);
  const rows = await engine.query<{ k: string; parent: string | null }>(st.sql, st.params);
  const top = rows.filter((r) => r.parent === null).map((r) => [r.k]);
  const nested = rows.filter((r) => r.parent !== null).map((r) => [r.parent as string, r.k]);
  return [...top, ...nested];
}

/**
 * The group types in the first rows of a text column named `groups` holding JSON, as Amplitude's
 * CSV exports have it ({"company_id": ["org_02"]}), in order of first appearance; a Parquet
 * STRUCT shows its fields without reading rows (nestedParquetFields).
 */
async function sampleGroupKeys(
  engine: Engine,
  format: ImportFormat,
  path: string,
  columns: readonly SourceColumn[],
  delimiter: string | undefined,
): Promise<FieldPath[]> {
  const i = columns.findIndex(
    (c) => c.name === GROUPS_CONTAINER && /^(VARCHAR|JSON)$/i.test(c.type),
  );
  if (i < 0) return [];
  const st = compileSampleColumnKeys(format, path, columns, i, delimiter);
  const rows = await engine.query<{ k: string }>(st.sql, st.params);
  return rows.map((r) => [GROUPS_CONTAINER, r.k]);
}

async function hasNonBlankLine(engine: Engine, path: string): Promise<boolean> {
  const st = compileFirstNonBlankLine(path);
  const rows = await engine.query(st.sql, st.params);
  return rows.length > 0;
}

function emptySummary(file: string, format: ImportFormat, started: number): ImportSummary {
  return {
    file,
    format,
    shape: 'generic',
    mapping: {},
    rows_read: 0,
    imported: 0,
    duplicates: 0,
    rejected: 0,
    reasons: [],
    days_touched: 0,
    seconds: (performance.now() - started) / 1000,
    rows_per_second: 0,
  };
}

/**
 * Progress in the file's terms. DuckDB's rows processed add up every pipeline of the statement
 * (the scan, then the numbered rows again), so they overrun the file's rows; its percentage is of
 * that same sum, so the file's rows in that proportion are what has been read.
 */
function fileProgress(
  onProgress: (p: QueryProgress) => void,
  fileRows: number,
): (p: QueryProgress) => void {
  let shown = 0;
  return (p) => {
    if (p.percentage < 0) return;
    // 100 is for the end, when the rows read are known.
    shown = Math.max(shown, Math.min(p.percentage, 99));
    onProgress({
      percentage: shown,
      rowsProcessed: Math.floor((fileRows * shown) / 100),
      totalRows: fileRows,
    });
  };
}

/**
 * An error DuckDB raised while reading the file, as a sentence naming the file and what to try;
 * the engine's message keeps its first line, never the statement it quotes.
 */
function fileReadError(err: unknown, format: ImportFormat, what: (kind: string) => string): Error {
  if (err instanceof ImportFileError) return err;
  const kind = FORMAT_NAMES[format];
  const others = (['csv', 'ndjson', 'parquet'] as const).filter((f) => f !== format).join(' or ');
  return new ImportFileError(
    `${what(kind)} (DuckDB: ${engineReason(err)}): check the file, or pass --format ${others} if it is not ${kind}.`,
    { cause: err },
  );
}

async function reading<T>(shown: string, format: ImportFormat, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw fileReadError(err, format, (kind) => `${shown} is not a readable ${kind} file`);
  }
}

/**
 * Imports one file in a single transaction: valid new events are appended, duplicates skipped,
 * invalid rows kept in failed_events with their reason and line, and the local days that received
 * events are marked for the rollup.
 */
export async function runImport(engine: Engine, options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const file = resolve(options.path);
  if (!existsSync(file)) throw new Error(`${options.path}: no such file.`);
  const format = detectFormat(file, options.format);
  if (statSync(file).size === 0) return emptySummary(file, format, started);
  const shown = options.path;
  const firstBlock = await checkImportFile(file, shown, format);

  const columns =
    format === 'ndjson'
      ? []
      : await reading(shown, format, () =>
          describeColumns(engine, format, file, options.csvDelimiter),
        );
  const fields: FieldPath[] =
    format === 'ndjson'
      ? await reading(shown, format, () => sampleJsonFields(engine, file))
      : columns
          .map((c) => [c.name] as FieldPath)
          .concat(nestedParquetFields(columns))
          .concat(
            await reading(shown, format, () =>
              sampleGroupKeys(engine, format, file, columns, options.csvDelimiter),
            ),
          );
  if (fields.length === 0) {
    // Content but no JSON object (a JSON array, pretty-printed JSON, lines DuckDB could not read
    // as UTF-8) would otherwise import nothing and reject nothing.
    if (
      format === 'ndjson' &&
      (firstBlock.hasContent || (await reading(shown, format, () => hasNonBlankLine(engine, file))))
    ) {
      throw new ImportFileError(noJsonObjectMessage(shown, firstBlock));
    }
    return emptySummary(file, format, started);
  }
  const detected = detectMapping(fields, options.flags ?? {});

  const now = options.now ?? new Date();
  const plan = compileImport({
    format,
    path: file,
    columns,
    mapping: detected.mapping,
    recordType: detected.recordType,
    firstOfList: detected.firstOfList,
    projectId: options.projectId,
    source: `file:${file}`,
    receivedAt: now.toISOString(),
    batchId: randomUUID(),
    timeZone: options.timeZone,
    minTimestamp: MIN_TIMESTAMP,
    maxTimestamp: new Date(now.getTime() + 86_400_000).toISOString(),
    csvDelimiter: options.csvDelimiter,
  });

  // DuckDB's percentage of a gzip file is of its compressed bytes, read before the rows are.
  let onProgress: ((p: QueryProgress) => void) | undefined;
  if (options.onProgress && !isGzipName(file)) {
    const [count] = await reading(shown, format, () =>
      engine.query<{ n: number }>(plan.countSource.sql, plan.countSource.params),
    );
    onProgress = fileProgress(options.onProgress, count?.n ?? 0);
  }

  const appended = engine.transaction(() =>
    storeImportRows(engine, plan, {
      projectId: options.projectId,
      source: `file:${file}`,
      onProgress,
      progressIntervalMs: options.progressIntervalMs,
    }),
  );
  const result = await appended.catch((err: unknown) => {
    throw fileReadError(
      err,
      format,
      (kind) => `${shown} could not be read to the end as a ${kind} file, so nothing was imported`,
    );
  });

  const seconds = (performance.now() - started) / 1000;
  const rows_read = result.valid + result.invalid;
  options.onProgress?.({ percentage: 100, rowsProcessed: rows_read, totalRows: rows_read });
  const mapping: Record<string, string> = {};
  for (const [k, v] of Object.entries(detected.mapping)) if (v) mapping[k] = formatPath(v);
  return {
    file,
    format,
    shape: detected.shape,
    mapping,
    rows_read,
    imported: result.imported,
    duplicates: result.valid - result.imported,
    rejected: result.invalid,
    reasons: result.reasons,
    days_touched: result.days.length,
    seconds,
    rows_per_second: seconds > 0 ? rows_read / seconds : 0,
  };
}

/** Parquet STRUCT columns expose their fields, so Mixpanel-style nesting is found there too. */
function nestedParquetFields(columns: readonly SourceColumn[]): FieldPath[] {
  const out: FieldPath[] = [];
  for (const c of columns) {
    const m = /^STRUCT\((.*)\)$/i.exec(c.type);
    if (!m?.[1]) continue;
    for (const part of m[1].split(/,\s*(?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
      const name = /^"?([^"\s]+)"?\s/.exec(part.trim())?.[1];
      if (name) out.push([c.name, name]);
    }
  }
  return out;
}
