import type { FieldMapping, FieldPath } from './detect-mapping.js';
import type { EventField } from './field-candidates.js';

/** What an import plan is compiled from: the file, its columns, the mapping and the batch. */
export type ImportFormat = 'csv' | 'ndjson' | 'parquet';

export interface SourceColumn {
  name: string;
  /** DuckDB type name as DESCRIBE reports it. */
  type: string;
}

export interface ImportPlanInput {
  format: ImportFormat;
  path: string;
  /** Columns in file order (CSV, Parquet); empty for NDJSON. */
  columns: readonly SourceColumn[];
  mapping: FieldMapping;
  projectId: string;
  source: string;
  receivedAt: string;
  /** Unique per import: the rows this import stored carry it. */
  batchId: string;
  timeZone: string;
  minTimestamp: string;
  maxTimestamp: string;
  csvDelimiter?: string | undefined;
  /** Segment exports: the field naming each record's call; only track, page and screen are events. */
  recordType?: FieldPath | undefined;
  /** Fields whose nested path takes the first element of a list there (detect-mapping.ts). */
  firstOfList?: readonly EventField[] | undefined;
}
