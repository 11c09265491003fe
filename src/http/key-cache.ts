/**
 * A short-lived, in-process memory of recently seen API keys, so that the hot path does not ask the
 * database for the same key on every request. Entries live `ttlMs` (AUTH_CACHE_SECONDS): a key
 * revoked in another process (CLI, other instance) stops working within that delay; a key revoked
 * through this process's back office stops at once. Expiry dates are checked on every request.
 */
import type { Knex } from 'knex';
import { findKey, type KeyRow } from '../db/keys.js';
import { fingerprint } from '../domain/secrets.js';

export interface KeyCache {
  find(presented: string): Promise<KeyRow | undefined>;
  /** True when `find` would answer from memory, without a lookup. */
  isFresh(presented: string): boolean;
  forget(keyId: string): void;
  /** Forgets every key (revocations may have been missed). */
  forgetAll(): void;
}

export type KeyLookup = (presented: string) => Promise<KeyRow | undefined>;

export function createKeyCache(db: Knex, ttlMs: number, maxEntries = 10_000, lookup: KeyLookup = (k) => findKey(db, k)): KeyCache {
  const entries = new Map<string, { row: KeyRow; until: number }>();
  // Bumped by every revocation: a lookup that started before one must not cache what it read.
  let generation = 0;
  return {
    isFresh(presented) {
      return ttlMs > 0 && (entries.get(fingerprint(presented))?.until ?? 0) > Date.now();
    },
    async find(presented) {
      if (ttlMs <= 0) return lookup(presented);
      const id = fingerprint(presented);
      const now = Date.now();
      const hit = entries.get(id);
      if (hit && hit.until > now) return hit.row;
      const startedAt = generation;
      const row = await lookup(presented);
      if (row && startedAt === generation) {
        if (entries.size >= maxEntries) entries.clear();
        entries.set(id, { row, until: now + ttlMs });
      }
      return row;
    },
    forgetAll() {
      generation += 1;
      entries.clear();
    },
    forget(keyId) {
      generation += 1;
      const canonical = /^\d+$/.test(keyId) ? String(BigInt(keyId)) : keyId; // '02' is key 2
      for (const [id, entry] of entries) if (entry.row.id === canonical) entries.delete(id);
    },
  };
}
