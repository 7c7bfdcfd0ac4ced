/** The dashboard's only way to the data: the REST API with the session token or read key. */

import type { Login } from './types.js';

const TOKEN = 'powerlens.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const auth = {
  get: (): string | null => sessionStorage.getItem(TOKEN),
  set: (token: string): void => sessionStorage.setItem(TOKEN, token),
  clear: (): void => sessionStorage.removeItem(TOKEN),
};

async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const token = auth.get();
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (init.body) headers.set('content-type', 'application/json');
  const res = await fetch(`/api/v1${path}`, { ...init, headers });
  if (!res.ok) {
    let detail = `${res.status} ${res.statusText}`;
    try {
      const p = (await res.json()) as { detail?: string };
      if (p.detail) detail = p.detail;
    } catch {
      // not a problem document: keep the status line
    }
    if (res.status === 401 && path !== '/login') {
      auth.clear();
      window.dispatchEvent(new Event('powerlens:signed-out'));
    }
    throw new ApiError(res.status, detail);
  }
  return res;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await request(path)).json() as Promise<T>;
}

export async function sendJson<T>(method: 'POST' | 'PUT', path: string, body: unknown): Promise<T> {
  return (await request(path, { method, body: JSON.stringify(body) })).json() as Promise<T>;
}

/** Downloads a CSV answer as a file (the token stays in the header, never in a URL). */
export async function downloadCsv(path: string, filename: string): Promise<void> {
  const blob = await (await request(path)).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  URL.revokeObjectURL(url);
}

/** Trades the one-time code of serve's login link for a session token. */
export async function redeemLoginCode(code: string): Promise<void> {
  const { token } = await sendJson<Login>('POST', '/login', { code });
  auth.set(token);
}

/** Signs in with a project read key, after checking the API takes it. */
export async function signInWithKey(key: string): Promise<void> {
  auth.set(key);
  try {
    await getJson('/definitions');
  } catch (err) {
    auth.clear();
    throw err;
  }
}
