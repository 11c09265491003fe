/**
 * Random secrets (API keys, client secrets, access tokens) and their stored fingerprints. The
 * secrets carry 256 random bits, so a plain SHA-256 is enough to make the stored value useless
 * to a thief (no dictionary to try), and it lets a key be found by its fingerprint in one lookup.
 */
import { createHash, randomBytes } from 'node:crypto';

export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64 (what the spec's libraries read). */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
