/**
 * Canonical JSON (RFC 8785, through the `canonicalize` package): the same data always gives the
 * same text, whatever the key order the client used. Hashes of payloads are taken on it.
 */
import { createRequire } from 'node:module';
import { sha256Hex } from './secrets.js';

// The package is CommonJS whose typings declare an ES default export; require() gets the function.
const canonicalize = createRequire(import.meta.url)('canonicalize') as (input: unknown) => string | undefined;

export function canonicalJson(value: unknown): string {
  return canonicalize(value) ?? 'null';
}

export function canonicalHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
