import { randomBytes } from 'node:crypto';

const CODE_MS = 15 * 60_000;
const SESSION_MS = 12 * 3_600_000;

/**
 * The dashboard's sign-in: `serve` prints a one-time login link per start (its code in the URL
 * fragment, which browsers never send to the server), the dashboard trades the code once for a
 * session token it keeps in sessionStorage and sends as a bearer token, and drops the code from
 * the address bar. Codes last 15 minutes, sessions 12 hours; both live in this process only, so a
 * restart signs everyone out.
 */
export class Sessions {
  private readonly codes = new Map<string, { projectId: string; until: number }>();
  private readonly tokens = new Map<string, { projectId: string; until: number }>();

  issueCode(projectId: string): string {
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, { projectId, until: Date.now() + CODE_MS });
    return code;
  }

  /** A session token for a valid unused code (the code is spent), or null. */
  redeem(code: string): { token: string; projectId: string } | null {
    const hit = this.codes.get(code);
    this.codes.delete(code);
    if (!hit || hit.until < Date.now()) return null;
    const token = `pl_s_${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { projectId: hit.projectId, until: Date.now() + SESSION_MS });
    return { token, projectId: hit.projectId };
  }

  /** The project of a live session token, or null. */
  projectOf(token: string): string | null {
    const hit = this.tokens.get(token);
    if (!hit) return null;
    if (hit.until < Date.now()) {
      this.tokens.delete(token);
      return null;
    }
    return hit.projectId;
  }
}
