import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys: `plw_` (write: ingest only), `plr_` (read: reports and API), `pla_` (admin), then 32
 * random base62 characters (190 bits). Keys are high-entropy secrets, so a SHA-256 digest is a
 * safe way to store them (a slow password hash guards low-entropy secrets); the plain key is
 * shown once, at creation.
 */
export const KEY_SCOPES = ['write', 'read', 'admin'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

const PREFIX: Record<KeyScope, string> = { write: 'plw_', read: 'plr_', admin: 'pla_' };
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 32;

export function generateKey(scope: KeyScope): string {
  let body = '';
  // Rejection sampling keeps every character equally likely (256 is not a multiple of 62).
  while (body.length < BODY_LENGTH) {
    for (const byte of randomBytes(BODY_LENGTH)) {
      if (byte < 248 && body.length < BODY_LENGTH) body += ALPHABET[byte % 62];
    }
  }
  return PREFIX[scope] + body;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The public part that names a key in listings and logs: the prefix and 6 characters. */
export function keyId(key: string): string {
  return key.slice(0, 10);
}

/** The scope a key's prefix claims, or null for anything that is not a powerlens key. */
export function scopeOf(key: string): KeyScope | null {
  const scope = KEY_SCOPES.find((s) => key.startsWith(PREFIX[s]));
  return scope && key.length === PREFIX[scope].length + BODY_LENGTH ? scope : null;
}

/** Constant-time comparison of two hex digests. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
