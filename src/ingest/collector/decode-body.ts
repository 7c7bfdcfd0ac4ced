import { createGunzip } from 'node:zlib';
import type { BodyShare } from './bodies-in-flight.js';

export type Decoded =
  | { ok: true; value: unknown; bytes: number }
  | {
      ok: false;
      status: 400 | 413 | 429;
      error: string;
      /**
       * The start of what was received, inflated when it was gzip (never more than `maxBytes`),
       * for failed_events; `whole` when it is all of it.
       */
      start: { bytes: Buffer; whole: boolean };
    };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** How much of a refused body's start is handed back for failed_events (which keeps 32 KB). */
const START_BYTES = 128 * 1024;

type Inflated =
  | { ok: true; body: Buffer }
  | { ok: false; why: 'too large' | 'bad' | 'busy'; start: Buffer };

/**
 * Inflates a gzip body as a stream, off the main thread, stopping as soon as the output passes
 * the cap or the share of the in-flight budget cannot grow: a small compressed body cannot expand
 * without bound, nor hold up other requests.
 */
function gunzipCapped(body: Buffer, maxBytes: number, share?: BodyShare): Promise<Inflated> {
  return new Promise((done) => {
    const gunzip = createGunzip();
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (why: 'too large' | 'bad' | 'busy') => {
      if (settled) return;
      settled = true;
      gunzip.destroy();
      // Only the first chunks: a copy of everything inflated so far is what the cap is against.
      const first: Buffer[] = [];
      let kept = 0;
      for (const c of chunks) {
        if (kept >= START_BYTES) break;
        first.push(c);
        kept += c.length;
      }
      done({ ok: false, why, start: Buffer.concat(first).subarray(0, START_BYTES) });
    };
    gunzip.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) fail('too large');
      else if (share && !share.take(chunk.length)) fail('busy');
      else chunks.push(chunk);
    });
    gunzip.on('end', () => {
      if (settled) return;
      settled = true;
      done({ ok: true, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) });
    });
    gunzip.on('error', () => fail('bad'));
    gunzip.end(body);
  });
}

/**
 * A request body as JSON. Gzip is recognised by its magic bytes whatever the headers say
 * (RudderStack labels gzipped JSON as a form) and inflated with a cap on the output, the inflated
 * bytes counted in the request's share of the in-flight budget. Invalid UTF-8 is refused, not
 * repaired. The size is checked before anything is parsed.
 */
export async function decodeBody(
  body: Buffer,
  maxBytes: number,
  share?: BodyShare,
): Promise<Decoded> {
  let raw = body;
  if (body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b) {
    const inflated = await gunzipCapped(body, maxBytes, share);
    if (!inflated.ok) {
      const start = { bytes: inflated.start, whole: false };
      if (inflated.why === 'too large') {
        return {
          ok: false,
          status: 413,
          error: `body larger than the limit of ${maxBytes} bytes once decompressed`,
          start,
        };
      }
      if (inflated.why === 'busy') {
        return {
          ok: false,
          status: 429,
          error: 'too many request bodies being read at once: retry after 1 second',
          start,
        };
      }
      return { ok: false, status: 400, error: 'body is not valid gzip', start };
    }
    raw = inflated.body;
  }
  const start = () => ({ bytes: raw.subarray(0, START_BYTES), whole: raw.length <= START_BYTES });
  if (raw.length > maxBytes) {
    return {
      ok: false,
      status: 413,
      error: `body of ${raw.length} bytes, the limit is ${maxBytes}`,
      start: start(),
    };
  }
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return { ok: false, status: 400, error: 'body is not valid UTF-8', start: start() };
  }
  try {
    return { ok: true, value: JSON.parse(text), bytes: raw.length };
  } catch (err) {
    return {
      ok: false,
      status: 400,
      error: `malformed JSON: ${(err as Error).message}`,
      start: start(),
    };
  }
}
