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

/** Strings with lone surrogates (valid JSON, invalid Unicode) get U+FFFD, at any depth. */
export function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return value.toWellFormed();
  if (Array.isArray(value)) return value.map(wellFormed);
  if (isJsonObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k.toWellFormed(), wellFormed(v)]),
    );
  }
  return value;
}

const RAW_CAP = 32 * 1024;

/** A message as received, as JSON text cut at 32 KB, for failed_events. */
export function rawText(message: unknown): string {
  const text = JSON.stringify(wellFormed(message)) ?? String(message);
  return text.length > RAW_CAP ? text.slice(0, RAW_CAP) : text;
}
