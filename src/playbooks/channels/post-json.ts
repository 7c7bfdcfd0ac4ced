import type { AttemptResult } from '../retry-policy.js';

/** What an error says, without the URL (which may hold a token) where fetch puts it. */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}${cause}`;
}

/**
 * The start of a refusal's body as one line of text: at most `max` bytes are read (a body may be
 * large), control characters and runs of white space become one space. Never throws.
 */
async function refusalText(response: Response, max: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // What was read before the connection broke is still worth showing.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const text = new TextDecoder().decode(Buffer.concat(chunks).subarray(0, max));
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
  return text.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
}

/**
 * One POST of a JSON body within a time limit, as an attempt's result: the status (and
 * Retry-After) when the receiver answered, else why not. Redirects are not followed; the answer's
 * body is not read (it may be large), but for `refusalBytes` > 0 the start of a non-2xx answer's
 * body is kept as its `detail` (Slack says why it refused in the body: `no_service`). Never
 * throws.
 */
export async function postJson(request: {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutSeconds: number;
  fetch?: typeof fetch | undefined;
  refusalBytes?: number;
}): Promise<AttemptResult> {
  const doFetch = request.fetch ?? fetch;
  try {
    const response = await doFetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...request.headers },
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(Math.round(request.timeoutSeconds * 1000)),
    });
    const refused = response.status < 200 || response.status >= 300;
    const detail =
      refused && (request.refusalBytes ?? 0) > 0
        ? await refusalText(response, request.refusalBytes ?? 0)
        : '';
    if (detail === '') await response.body?.cancel().catch(() => undefined);
    return {
      kind: 'response',
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      ...(detail !== '' ? { detail } : {}),
    };
  } catch (err) {
    const timeout =
      err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    return {
      kind: 'network',
      timeout,
      error: timeout ? `no answer within ${request.timeoutSeconds} s` : errorText(err),
    };
  }
}
