import { extname } from 'node:path';
import type { ImportFormat } from './import-plan-input.js';

const BY_EXTENSION: Record<string, ImportFormat> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.json': 'ndjson',
  '.parquet': 'parquet',
  '.pq': 'parquet',
};

export function detectFormat(path: string, explicit?: string): ImportFormat {
  if (explicit) {
    if (explicit === 'csv' || explicit === 'ndjson' || explicit === 'parquet') return explicit;
    throw new Error(`--format ${explicit} is not supported: use csv, ndjson or parquet.`);
  }
  const ext = extname(path.replace(/\.gz$/i, '')).toLowerCase();
  const format = BY_EXTENSION[ext];
  if (!format) {
    throw new Error(
      `cannot tell the format of ${path} from its extension: pass --format csv, ndjson or parquet.`,
    );
  }
  return format;
}
