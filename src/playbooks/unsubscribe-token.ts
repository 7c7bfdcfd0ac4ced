import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Engine } from '../engines/engine.js';
import type { Playbook } from '../model/playbook.js';
import { compileKeepSetting, compileSetting } from '../sql/compile-settings.js';
import { normaliseAddress, oneClickBase, type UnsubscribeSigner } from './channels/email.js';

/**
 * The token an e-mail's one-click unsubscribe link carries (docs/playbooks.md, "E-mail"):
 * HMAC-SHA256 over the project and the address, base64url. Without it anyone who knows an
 * address could unsubscribe it.
 *
 * The key is made at random the first time a link is needed and kept in the database
 * (instance_settings, migration 12), not read from a variable: the links are made by whatever
 * records deliveries (`powerlens playbooks run`, serve) and checked by serve, which share the
 * database but not necessarily an environment, and a link must keep working for as long as the
 * mail lies in an inbox. Whoever can read the database can forge a link, but could then read
 * and change far more than a suppression list.
 */

const KEY_NAME = 'unsubscribe_hmac_key';

/** The key kept, or null when no link was ever signed here (so no token can be right). */
export async function keptUnsubscribeKey(engine: Engine): Promise<Buffer | null> {
  const c = compileSetting(engine.dialect, KEY_NAME);
  const rows = await engine.query<{ value: string }>(c.sql, c.params);
  const value = rows[0]?.value;
  return value === undefined ? null : Buffer.from(value, 'base64url');
}

/** The signing key: the one kept, or a new random one kept now (the first writer's stays). */
export async function unsubscribeKey(engine: Engine, now: Date = new Date()): Promise<Buffer> {
  const kept = await keptUnsubscribeKey(engine).catch((err: unknown) => {
    throw notKept(err);
  });
  if (kept !== null) return kept;
  const c = compileKeepSetting(engine.dialect, {
    name: KEY_NAME,
    value: randomBytes(32).toString('base64url'),
    created_at: now.toISOString(),
  });
  try {
    await engine.run(c.sql, c.params);
  } catch (err) {
    throw notKept(err);
  }
  // Read back: a concurrent writer's key may have been kept instead of ours.
  const key = await keptUnsubscribeKey(engine);
  if (key === null) throw notKept(null);
  return key;
}

/** Why the key could not be kept, and what to do (it signs every e-mail's unsubscribe link). */
function notKept(cause: unknown): Error {
  const why = cause instanceof Error ? ` (${cause.message.split('\n')[0]})` : '';
  return new Error(
    `the key that signs e-mail unsubscribe links could not be kept in the table instance_settings${why}: ` +
      'either the database cannot be written (make its file and directory writable by the user powerlens runs as), ' +
      'or it predates migration 12, which makes that table (run any powerlens command with --db PATH on it once to migrate it, e.g. powerlens playbooks list --db PATH)',
    { cause },
  );
}

/** The token for an address of a project (the address compared in its normal form). */
export function unsubscribeToken(key: Buffer, projectId: string, address: string): string {
  // A newline cannot occur in a project id or an address: the pair is read one way only.
  return createHmac('sha256', key)
    .update(`${projectId}\n${normaliseAddress(address)}`)
    .digest('base64url');
}

/** Whether the token is the one for this project and address (compared in constant time). */
export function tokenMatches(
  key: Buffer,
  projectId: string,
  address: string,
  token: string,
): boolean {
  const want = Buffer.from(unsubscribeToken(key, projectId, address), 'utf8');
  const got = Buffer.from(token, 'utf8');
  return got.length === want.length && timingSafeEqual(got, want);
}

/**
 * The signer the e-mail of these playbooks needs, or null when none sends e-mail or the
 * dashboard's address cannot carry a one-click link (the key is only made when a link is).
 */
export async function unsubscribeSigner(
  engine: Engine,
  playbooks: Readonly<Record<string, Playbook>>,
  baseUrl: string | null | undefined,
): Promise<UnsubscribeSigner | null> {
  const emails = Object.values(playbooks).some((p) => p.actions.some((a) => a.email));
  if (!emails || oneClickBase(baseUrl) === null) return null;
  const key = await unsubscribeKey(engine);
  return (projectId, address) => unsubscribeToken(key, projectId, address);
}
