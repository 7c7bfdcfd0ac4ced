import { createGunzip } from 'node:zlib';

export type Decoded =
  | { ok: true; value: unknown; bytes: number }
  | { ok: false; status: 400 | 413; error: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Inflates a gzip body as a stream, off the main thread, stopping as soon as the output passes
 * the cap: a small compressed body cannot expand without bound, nor hold up other requests.
 */
function gunzipCapped(body: Buffer, maxBytes: number): Promise<Buffer | 'too large' | 'bad'> {
  return new Promise((done) => {
    const gunzip = createGunzip();
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (v: Buffer | 'too large' | 'bad') => {
      if (settled) return;
      settled = true;
      done(v);
    };
    gunzip.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        settle('too large');
        gunzip.destroy();
      } else chunks.push(chunk);
    });
    gunzip.on('end', () => settle(Buffer.concat(chunks)));
    gunzip.on('error', () => settle('bad'));
    gunzip.end(body);
  });
}

/**
 * A request body as JSON. Gzip is recognised by its magic bytes whatever the headers say
 * (RudderStack labels gzipped JSON as a form) and inflated with a cap on the output. Invalid
 * UTF-8 is refused, not repaired.
 */
export async function decodeBody(body: Buffer, maxBytes: number): Promise<Decoded> {
  let raw = body;
  if (body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b) {
    const inflated = await gunzipCapped(body, maxBytes);
    if (inflated === 'too large') {
      return {
        ok: false,
        status: 413,
        error: `body larger than the limit of ${maxBytes} bytes once decompressed`,
      };
    }
    if (inflated === 'bad') return { ok: false, status: 400, error: 'body is not valid gzip' };
    raw = inflated;
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
