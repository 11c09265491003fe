/** Narrowing of parsed JSON, without casts. */
export type JsonObject = { [key: string]: unknown };

/** True for a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A member name as a JSON pointer segment (RFC 6901: `~` → `~0`, `/` → `~1`). */
export const escapePointer = (key: string): string => (key.includes('~') || key.includes('/') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key);
