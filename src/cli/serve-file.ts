import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * While `serve` holds a DuckDB file, it writes `<db>.serve.json` beside it: where it answers and
 * the admin token of its engine sessions. Readable by the file's owner only; commands run by that
 * user find the server there and send their statements to it (src/engines/remote).
 */
export interface ServeFile {
  url: string;
  pid: number;
  token: string;
  started_at: string;
}

export const serveFilePath = (db: string) => `${resolve(db)}.serve.json`;

export const newAdminToken = () => `pls_${randomBytes(24).toString('base64url')}`;

/** A listening address the CLI on this machine can reach (a wildcard bind means loopback). */
export function reachable(address: string): string {
  return address.replace('://0.0.0.0:', '://127.0.0.1:').replace('://[::]:', '://[::1]:');
}

export function writeServeFile(db: string, info: ServeFile): void {
  writeFileSync(serveFilePath(db), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
}

/** Removes the file, unless another server has written its own since (another token). */
export function removeServeFile(db: string, token: string): void {
  const current = readServeFile(db);
  if (current?.token === token) rmSync(serveFilePath(db), { force: true });
}

function readServeFile(db: string): ServeFile | null {
  try {
    const info = JSON.parse(readFileSync(serveFilePath(db), 'utf8')) as Partial<ServeFile>;
    return typeof info.url === 'string' && typeof info.token === 'string' && info.pid
      ? (info as ServeFile)
      : null;
  } catch {
    return null;
  }
}

/** The server holding the database now, or null (none, or one that died without cleaning up). */
export function liveServer(db: string): ServeFile | null {
  const info = readServeFile(db);
  if (!info) return null;
  try {
    process.kill(info.pid, 0);
    return info;
  } catch (err) {
    // EPERM: the process lives, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? info : null;
  }
}
