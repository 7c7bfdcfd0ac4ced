/**
 * Anything shaped like a powerlens key (src/projects/api-keys.ts: `plw_`, `plr_` or `pla_`, then
 * 32 base62 characters). No word boundaries: a key run into other text is still a key.
 */
const KEY = /pl[wra]_[0-9A-Za-z]{32}/g;
/** The start of a key cut off by the end of a window of text. */
const KEY_CUT_AT_END = /pl(?:[wra](?:_[0-9A-Za-z]{0,31})?)?$/;

export const KEY_REMOVED = '[key removed]';

/**
 * Text with every key of this product, and every key given (what the request authenticated
 * with, whatever its shape), replaced. Credentials are never stored, not even in failed_events.
 */
export function scrubKeys(
  text: string,
  known: readonly (string | null | undefined)[] = [],
): string {
  let out = text.replace(KEY, KEY_REMOVED);
  for (const k of known) {
    // Short strings are not credentials worth a blind replace (and would mangle the text).
    if (k && k.length >= 8 && out.includes(k)) out = out.split(k).join(KEY_REMOVED);
  }
  return out;
}

/** Where SDKs put keys: Segment `writeKey`; PostHog `api_key` and `token` (also in properties). */
const KEY_FIELDS = ['writeKey', 'api_key', 'token'];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function withoutKeyFields(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (KEY_FIELDS.includes(k)) continue;
    out[k] = k === 'properties' && isObject(v) ? withoutKeyFields(v) : v;
  }
  return out;
}

/**
 * A parsed request body without the fields that carry keys: at the top, in `properties`, and in
 * each message of a `batch` (or of a body that is an array of messages).
 */
export function withoutCredentials(body: unknown): unknown {
  const message = (m: unknown) => (isObject(m) ? withoutKeyFields(m) : m);
  if (Array.isArray(body)) return body.map(message);
  if (!isObject(body)) return body;
  const out = withoutKeyFields(body);
  if (Array.isArray(out.batch)) out.batch = out.batch.map(message);
  return out;
}

/** Room enough after a cut for a key that starts just before it to be seen whole. */
export const KEY_MARGIN = 64;

/**
 * Text cut at `cap` characters with keys taken out first, so that a cut never leaves part of a
 * key behind; `whole` says the text is all there is (else its end may itself be a cut).
 */
export function scrubAndCut(
  text: string,
  cap: number,
  whole = true,
  known: readonly (string | null | undefined)[] = [],
): string {
  let t = text;
  let complete = whole;
  if (t.length > cap + KEY_MARGIN) {
    t = t.slice(0, cap + KEY_MARGIN);
    complete = false;
  }
  t = scrubKeys(t, known);
  if (!complete) t = t.replace(KEY_CUT_AT_END, '');
  // A cut can fall between the two halves of a surrogate pair (an emoji): it is repaired.
  return t.length > cap ? t.slice(0, cap).toWellFormed() : t.toWellFormed();
}
