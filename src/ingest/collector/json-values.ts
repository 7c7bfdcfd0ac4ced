import { KEY_MARGIN, scrubAndCut, withoutCredentials } from './scrub-keys.js';

/** Reading the untyped JSON that SDKs send: objects, ids, strings repaired, raw text kept. */
export type JsonObject = Record<string, unknown>;

export const isJsonObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** An id: a non-empty string, or a number (SDKs send both); anything else means absent. */
export function idOf(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && v.trim() !== '') return v;
  return null;
}

/**
 * Strings with lone surrogates (valid JSON, invalid Unicode) get U+FFFD, at any depth. Nearly
 * every message is already well formed: it is then returned as it is, not copied.
 */
export function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return value.isWellFormed() ? value : value.toWellFormed();
  if (Array.isArray(value)) {
    const items = value.map(wellFormed);
    return items.every((v, i) => v === value[i]) ? value : items;
  }
  if (isJsonObject(value)) {
    let changed = false;
    const entries = Object.entries(value).map(([k, v]) => {
      const key = k.isWellFormed() ? k : k.toWellFormed();
      const repaired = wellFormed(v);
      if (key !== k || repaired !== v) changed = true;
      return [key, repaired] as const;
    });
    return changed ? Object.fromEntries(entries) : value;
  }
  return value;
}

/** Room for any message within PostHog's default per-event limit, so it can be re-submitted. */
const RAW_CAP = 1024 * 1024;

/**
 * A message as received, as JSON text cut at 1 MB, for failed_events, which people read: a key
 * anywhere in it (pasted into a property) is taken out.
 */
export function rawText(message: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(wellFormed(message)) ?? String(message);
  } catch {
    text = '(the message could not be written out)';
  }
  return scrubAndCut(text, RAW_CAP);
}

/**
 * What failed_events keeps of a request refused whole, never with a credential in it: the parsed
 * body without its key fields, or, when it did not parse, the start of its bytes as text; either
 * way with anything shaped like a key (or equal to one of `known`) taken out, cut at `cap`.
 */
export function refusedRaw(
  body: { value: unknown } | { bytes: Buffer; whole: boolean },
  cap: number,
  known: readonly (string | null | undefined)[] = [],
): string {
  if ('value' in body) {
    let text: string;
    try {
      text = JSON.stringify(wellFormed(withoutCredentials(body.value))) ?? '';
    } catch {
      text = '(the body could not be written out)';
    }
    return scrubAndCut(text, cap, true, known);
  }
  // Bytes, not characters, are cut here: invalid UTF-8 (a reason to refuse) shows as U+FFFD.
  const window = body.bytes.subarray(0, cap * 3 + KEY_MARGIN);
  return scrubAndCut(
    window.toString('utf8'),
    cap,
    body.whole && window.length === body.bytes.length,
    known,
  );
}
