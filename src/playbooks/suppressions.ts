import type { Engine } from '../engines/engine.js';
import {
  compileSuppress,
  compileSuppressedAmong,
  compileSuppression,
} from '../sql/compile-suppressions.js';
import { normaliseAddress } from './channels/email.js';
import { assertOutboxEngine } from './outbox.js';

/**
 * The suppression list (docs/playbooks.md, "E-mail"): an address on it receives no later
 * playbook e-mail of the project; the dispatcher marks such a delivery dead ('suppressed')
 * without sending it. Addresses are compared trimmed and in lower case.
 */

/** Why a delivery to an address on the list is not sent (its attempt's error). */
export const SUPPRESSED = 'suppressed: the address is on the suppression list';

/** Puts an address on the project's list (again: no change, the first reason stays). */
export async function suppress(
  engine: Engine,
  projectId: string,
  address: string,
  reason: string,
  now: Date = new Date(),
): Promise<void> {
  assertOutboxEngine(engine);
  const normal = normaliseAddress(address);
  if (normal === '') throw new Error('an empty address cannot be suppressed');
  const c = compileSuppress(engine.dialect, {
    project_id: projectId,
    address: normal,
    reason,
    created_at: now.toISOString(),
  });
  await engine.run(c.sql, c.params);
}

/** Which of these addresses are on the project's list, compared as normaliseAddress does. */
export async function suppressedAmong(
  engine: Engine,
  projectId: string,
  addresses: readonly string[],
): Promise<Set<string>> {
  if (addresses.length === 0) return new Set();
  const c = compileSuppressedAmong(engine.dialect, projectId, [
    ...new Set(addresses.map(normaliseAddress)),
  ]);
  const rows = await engine.query<{ address: string }>(c.sql, c.params);
  return new Set(rows.map((r) => r.address));
}

/** Whether the address is on the project's list. */
export async function isSuppressed(
  engine: Engine,
  projectId: string,
  address: string,
): Promise<boolean> {
  const c = compileSuppression(engine.dialect, projectId, normaliseAddress(address));
  const rows = await engine.query<{ address: string }>(c.sql, c.params);
  return rows.length > 0;
}

/**
 * The use case behind an unsubscribe link or request (for the API): suppresses the address for
 * the project's playbook e-mail, reason 'unsubscribed'.
 */
export async function unsubscribe(
  engine: Engine,
  projectId: string,
  address: string,
  now: Date = new Date(),
): Promise<void> {
  await suppress(engine, projectId, address, 'unsubscribed', now);
}
