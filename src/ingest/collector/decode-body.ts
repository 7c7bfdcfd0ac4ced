import { gunzipSync } from 'node:zlib';

export type Decoded =
  | { ok: true; value: unknown; bytes: number }
  | { ok: false; status: 400 | 413; error: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A request body as JSON. Gzip is recognised by its magic bytes whatever the headers say
 * (RudderStack labels gzipped JSON as a form) and inflated with a cap on the output, so a small
 * compressed body cannot expand without bound. Invalid UTF-8 is refused, not repaired.
 */
export function decodeBody(body: Buffer, maxBytes: number): Decoded {
  let raw = body;
  if (body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b) {
    try {
      raw = gunzipSync(body, { maxOutputLength: maxBytes + 1 });
    } catch (err) {
      const tooBig = err instanceof RangeError || /maxOutputLength|buffer/i.test(String(err));
      return tooBig
        ? {
            ok: false,
            status: 413,
            error: `body larger than the limit of ${maxBytes} bytes once decompressed`,
          }
        : { ok: false, status: 400, error: 'body is not valid gzip' };
    }
  }
  if (raw.length > maxBytes) {
    return {
      ok: false,
      status: 413,
      error: `body of ${raw.length} bytes, the limit is ${maxBytes}`,
    };
  }
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return { ok: false, status: 400, error: 'body is not valid UTF-8' };
  }
  try {
    return { ok: true, value: JSON.parse(text), bytes: raw.length };
  } catch (err) {
    return { ok: false, status: 400, error: `malformed JSON: ${(err as Error).message}` };
  }
}
