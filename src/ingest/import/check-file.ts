import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { ImportFormat } from './import-plan-input.js';

/** A file that cannot be imported as it is, with what it looks like and what to do instead. */
export class ImportFileError extends Error {}

/** As much of the file as the checks read: git's binary test reads 8000 bytes; a little more. */
const BLOCK_BYTES = 64 * 1024;

export const FORMAT_NAMES: Record<ImportFormat, string> = {
  csv: 'CSV',
  ndjson: 'NDJSON',
  parquet: 'Parquet',
};
const A_FILE: Record<ImportFormat, string> = {
  csv: 'a CSV file',
  ndjson: 'an NDJSON file',
  parquet: 'a Parquet file',
};

/** DuckDB reads text files named .gz decompressing them (detectFormat drops the suffix). */
export const isGzipName = (path: string): boolean => /\.gz$/i.test(path);

interface Signature {
  bytes: readonly number[];
  looks: string;
  /** What to run; `name` is the file as the user named it. */
  fix: (name: string) => string;
}

const SIGNATURES: readonly Signature[] = [
  {
    bytes: [0x1f, 0x8b],
    looks: 'gzip-compressed',
    fix: (n) =>
      `decompress it (gunzip -c ${sh(n)} > ${sh(plainName(n))}) and import ${plainName(n)}`,
  },
  {
    bytes: [0x50, 0x4b, 0x03, 0x04],
    looks: 'like a ZIP archive',
    fix: (n) => `extract it (unzip ${sh(n)}) and import the file inside`,
  },
  {
    bytes: [0x28, 0xb5, 0x2f, 0xfd],
    looks: 'zstd-compressed',
    fix: (n) =>
      `decompress it (zstd -d -c ${sh(n)} > ${sh(plainName(n))}) and import ${plainName(n)}`,
  },
  {
    bytes: [0x42, 0x5a, 0x68],
    looks: 'bzip2-compressed',
    fix: (n) =>
      `decompress it (bunzip2 -c ${sh(n)} > ${sh(plainName(n))}) and import ${plainName(n)}`,
  },
  {
    bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
    looks: 'xz-compressed',
    fix: (n) =>
      `decompress it (xz -d -c ${sh(n)} > ${sh(plainName(n))}) and import ${plainName(n)}`,
  },
];

/** A path as a shell word, so the commands in messages can be pasted as they are. */
const sh = (path: string): string =>
  /^[\w./@%+=:,-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;

/** dir/x.ndjson -> dir/x-plain.ndjson: where to write a readable copy, keeping the extension. */
function plainName(name: string, suffix = 'plain'): string {
  const base = basename(name).replace(/\.gz$/i, '');
  const dot = base.lastIndexOf('.');
  return join(
    dirname(name),
    dot > 0 ? `${base.slice(0, dot)}-${suffix}${base.slice(dot)}` : `${base}-${suffix}`,
  );
}

const PARQUET_MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1"

const startsWith = (block: Buffer, bytes: readonly number[]): boolean =>
  block.length >= bytes.length && bytes.every((b, i) => block[i] === b);

/** The first block of the file as DuckDB will read it (decompressed when the name says gzip). */
async function firstBlock(path: string, gunzip: boolean): Promise<Buffer> {
  if (!gunzip) {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(BLOCK_BYTES);
      const { bytesRead } = await fh.read(buf, 0, BLOCK_BYTES, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const source = createReadStream(path);
  const stream = source.pipe(createGunzip());
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= BLOCK_BYTES) break;
    }
  } catch {
    // Not gzip after all, or cut short: DuckDB's reader says which when it reads the file.
  } finally {
    stream.destroy();
    source.destroy();
  }
  return Buffer.concat(chunks).subarray(0, BLOCK_BYTES);
}

/**
 * Length of the UTF-8 sequence starting at `i`, or 0 when the bytes there are not UTF-8. A
 * sequence cut by the end of the block counts as valid: the rest is in the next block.
 */
function utf8Length(b: Buffer, i: number): number {
  const c = b[i] as number;
  if (c < 0x80) return 1;
  let n: number;
  let min: number;
  if (c >= 0xc2 && c <= 0xdf) [n, min] = [2, 0x80];
  else if (c >= 0xe0 && c <= 0xef) [n, min] = [3, 0x800];
  else if (c >= 0xf0 && c <= 0xf4) [n, min] = [4, 0x10000];
  else return 0;
  let cp = c & (0xff >> (n + 1));
  for (let k = 1; k < n; k++) {
    if (i + k >= b.length) return b.length - i;
    const cc = b[i + k] as number;
    if ((cc & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

/** Control characters text files do not hold (tab, newlines, form feed and escape are fine). */
const isOddControl = (c: number): boolean =>
  (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0b && c !== 0x0c && c !== 0x0d && c !== 0x1b) ||
  c === 0x7f;

export interface TextBlock {
  /** Something other than whitespace in the first block. */
  hasContent: boolean;
  /** The first byte that is not UTF-8, as [offset, byte], when there is one. */
  firstInvalid: [number, number] | null;
}

/** Invalid bytes in a text export are a line or two in the wrong encoding, not one in ten. */
const BINARY_SHARE = 0.1;

function readText(block: Buffer): TextBlock & { binaryAt: number | null } {
  let firstInvalid: [number, number] | null = null;
  let odd = 0;
  let firstOdd: number | null = null;
  let hasContent = false;
  const bom = startsWith(block, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  for (let i = bom; i < block.length; ) {
    const c = block[i] as number;
    // NUL is never in text, and is how git and grep tell binary files.
    if (c === 0) return { hasContent, firstInvalid, binaryAt: firstOdd ?? i };
    const n = utf8Length(block, i);
    if (n === 0 || isOddControl(c)) {
      odd++;
      firstOdd ??= i;
      if (n === 0) firstInvalid ??= [i, c];
      i++;
      continue;
    }
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) hasContent = true;
    i += n;
  }
  const binary = odd >= 8 && odd / block.length > BINARY_SHARE;
  return { hasContent, firstInvalid, binaryAt: binary ? firstOdd : null };
}

/**
 * Refuses, before DuckDB reads it, a file that is not what its format says: compressed data, an
 * archive, Parquet given as text, UTF-16 or binary data. DuckDB would read such a file as text
 * with no valid line, and the import would end "0 imported, 0 rejected". `shown` is the path as
 * the user wrote it. Returns what the first block holds, for the checks after detection.
 */
export async function checkImportFile(
  path: string,
  shown: string,
  format: ImportFormat,
): Promise<TextBlock> {
  const kind = FORMAT_NAMES[format];
  const textual = format !== 'parquet';
  const raw = await firstBlock(path, false);
  const decompressedByDuckDb = textual && isGzipName(path) && startsWith(raw, [0x1f, 0x8b]);
  if (!decompressedByDuckDb) {
    for (const s of SIGNATURES) {
      if (!startsWith(raw, s.bytes)) continue;
      const rename =
        textual && s.bytes[0] === 0x1f
          ? `, or name it ${basename(shown)}.gz to import it as it is`
          : '';
      throw new ImportFileError(
        `${shown} looks ${s.looks}, not like ${A_FILE[format]}: ${s.fix(shown)}${rename}.`,
      );
    }
  }
  if (!textual) return { hasContent: raw.length > 0, firstInvalid: null };
  const block = decompressedByDuckDb ? await firstBlock(path, true) : raw;
  if (startsWith(block, PARQUET_MAGIC)) {
    throw new ImportFileError(
      `${shown} looks like a Parquet file, not ${kind}: import it with --format parquet.`,
    );
  }
  if (startsWith(block, [0xff, 0xfe]) || startsWith(block, [0xfe, 0xff])) {
    throw new ImportFileError(
      `${shown} is UTF-16 text; ${kind} files must be UTF-8: convert it (iconv -f UTF-16 -t UTF-8 ${sh(shown)} > ${sh(plainName(shown, 'utf8'))}) and import ${plainName(shown, 'utf8')}.`,
    );
  }
  const text = readText(block);
  if (text.binaryAt !== null) {
    throw new ImportFileError(
      `${shown} is not text (binary data at byte ${text.binaryAt}${decompressedByDuckDb ? ' once decompressed' : ''}): ${A_FILE[format]} must be UTF-8 text. Check that it is the export you meant (compressed? another format? then pass --format).`,
    );
  }
  return { hasContent: text.hasContent, firstInvalid: text.firstInvalid };
}

/** Why an NDJSON file with content gave no JSON object, in the words the user can act on. */
export function noJsonObjectMessage(shown: string, block: TextBlock): string {
  if (block.firstInvalid) {
    const [at, byte] = block.firstInvalid;
    const hex = byte.toString(16).toUpperCase().padStart(2, '0');
    return `${shown} is not UTF-8 text (byte 0x${hex} at byte ${at} is not UTF-8, and no line could be read): save it as UTF-8 (e.g. iconv -f latin1 -t utf-8 ${sh(shown)} > ${sh(plainName(shown, 'utf8'))}) and import ${plainName(shown, 'utf8')}.`;
  }
  return `${shown}: no line is a JSON object. NDJSON needs one object per line; a JSON array or pretty-printed JSON is not supported.`;
}

/** The engine's own reason, one line, without the statement and caret it quotes after it. */
export function engineReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split('\n').find((l) => l.trim() !== '') ?? message;
  const reason = first.replace(/\s*LINE \d+:.*$/, '').trim();
  return reason.length > 300 ? `${reason.slice(0, 300)}...` : reason;
}
