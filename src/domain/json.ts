/** Narrowing of parsed JSON, without casts. */
export type JsonObject = { [key: string]: unknown };

/** True for a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
