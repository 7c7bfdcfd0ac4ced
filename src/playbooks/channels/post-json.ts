import type { AttemptResult } from '../retry-policy.js';

/** What an error says, without the URL (which may hold a token) where fetch puts it. */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}${cause}`;
}

/**
 * One POST of a JSON body within a time limit, as an attempt's result: the status (and
 * Retry-After) when the receiver answered, else why not. Redirects are not followed; the answer's
 * body is not read (it may be large). Never throws.
 */
export async function postJson(request: {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutSeconds: number;
  fetch?: typeof fetch | undefined;
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
    await response.body?.cancel().catch(() => undefined);
    return {
      kind: 'response',
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
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
